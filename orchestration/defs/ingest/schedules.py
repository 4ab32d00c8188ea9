"""Daily refresh: cloud exports restate the current (and, early in a month, the previous)
billing period every day, so both partitions are re-ingested (dbt follows: daily_transform)."""

import datetime as dt

import dagster as dg

from orchestration.defs.ingest.assets import ingest_job


@dg.schedule(job=ingest_job, cron_schedule="0 5 * * *", execution_timezone="UTC")
def daily_ingest(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    today = context.scheduled_execution_time.date()
    current = today.replace(day=1)
    previous = (current - dt.timedelta(days=1)).replace(day=1)
    return [
        dg.RunRequest(run_key=f"{k}@{today}", partition_key=k.isoformat())
        for k in (previous, current)
    ]
