"""Daily refresh: cloud exports restate the current (and, early in a month, the previous)
billing period every day, so both partitions are re-ingested (dbt follows: daily_transform).

Both months are registered as partitions first if they are new (a schedule cannot return
partition requests the way a sensor does, so it adds them on the instance)."""

import datetime as dt

import dagster as dg

from orchestration.defs.ingest.assets import ingest_job
from orchestration.defs.partitions import BILLING_PERIOD, new_keys, period_of


@dg.schedule(job=ingest_job, cron_schedule="0 5 * * *", execution_timezone="UTC")
def daily_ingest(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    today = context.scheduled_execution_time.date()
    current = today.replace(day=1)
    previous = (current - dt.timedelta(days=1)).replace(day=1)
    keys = [k.isoformat() for k in (previous, current)]
    added = new_keys(
        [period_of(k) for k in keys], context.instance.get_dynamic_partitions(BILLING_PERIOD)
    )
    if added:
        context.instance.add_dynamic_partitions(BILLING_PERIOD, added)
    return [dg.RunRequest(run_key=f"{k}@{today}", partition_key=k) for k in keys]
