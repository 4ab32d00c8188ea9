"""Monthly chargeback statements: one partition per billing month, after the marts are published,
then a webhook announcement. Plain logic in app/statements."""

import datetime as dt

import dagster as dg

from app.statements.run import announce, build_month, reports_dir
from orchestration.defs.partitions import BILLING_PERIOD, billing_periods, key_of, period_of
from orchestration.defs.resources import SibylSettings


@dg.asset(
    key=["reports", "monthly_statements"],
    group_name="reports",
    partitions_def=billing_periods,
    deps=[dg.AssetKey(["marts", "published_marts"])],
    kinds={"pdf", "csv", "html"},
    description="Per team and business unit: CSV, HTML and PDF statements under <data>/reports/YYYY-MM/.",
)
def monthly_statements(
    context: dg.AssetExecutionContext, sibyl: SibylSettings
) -> dg.MaterializeResult:
    s = sibyl.resolved()
    month = period_of(context.partition_key)
    index = build_month(s.marts_dir, reports_dir(s.data_dir), month)
    sent = announce(s.lake_root, s.webhooks_file, index)
    entries = index["statements"]
    return dg.MaterializeResult(
        metadata={
            "folder": str(index["folder"]),
            "statements": len(entries),
            "teams": sum(e["kind"] == "team" for e in entries),
            "webhooks_delivered": sent["delivered"],
        }
    )


statements_job = dg.define_asset_job(
    "monthly_statements", selection=dg.AssetSelection.assets(monthly_statements)
)


def previous_month_key(today: dt.date) -> str:
    """The partition of the month before ``today``'s (statements close a finished month)."""
    return key_of(f"{today.replace(day=1) - dt.timedelta(days=1):%Y-%m}")


@dg.schedule(job=statements_job, cron_schedule="0 7 5 * *", execution_timezone="UTC")
def monthly_statements_schedule(
    context: dg.ScheduleEvaluationContext,
) -> dg.RunRequest | dg.SkipReason:
    """On the 5th (late invoice lines have landed), the previous month's statements; skipped when
    no export for that month has landed (the billing period is not a partition yet)."""
    when = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    key = previous_month_key(when.date())
    if key not in context.instance.get_dynamic_partitions(BILLING_PERIOD):
        return dg.SkipReason(f"no billing period {key[:7]} has landed yet")
    return dg.RunRequest(partition_key=key)
