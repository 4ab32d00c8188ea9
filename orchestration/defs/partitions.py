"""Monthly billing-period partitions shared by the ingest assets (keys: YYYY-MM-01)."""

import dagster as dg

from orchestration.settings import Settings

billing_periods = dg.MonthlyPartitionsDefinition(
    start_date=f"{Settings.from_env().first_billing_period}-01", end_offset=1
)


def period_of(partition_key: str) -> str:
    """Partition key YYYY-MM-01 -> billing period YYYY-MM."""
    return partition_key[:7]


def key_of(period: str) -> str:
    return f"{period}-01"
