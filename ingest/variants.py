"""Schema variants of billing exports: how to recognise each one and read its key facts.

Each variant is data: the columns that identify it, the columns it must have, and DuckDB SQL
expressions (over the raw, as-exported column names) for the facts ingest validates and
reconciles: billing period, billed cost, charge date, account. Names are never rewritten in the
lake; the dbt staging models do the renaming.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from ingest.sql import ident

MONEY = "DECIMAL(38, 10)"


def q(name: str) -> str:
    """Quote a raw column name for DuckDB (names contain '/', '.', ':' and spaces)."""
    return ident(name)


@dataclass(frozen=True)
class Variant:
    name: str
    provider: str
    description: str
    signature: tuple[str, ...]  # all present -> this variant (checked in registry order)
    required: tuple[str, ...]  # must exist, else the file is quarantined
    period_sql: str  # -> DATE, first day of the billing period
    cost_sql: str  # -> VARCHAR/DOUBLE raw billed cost as exported (before cast)
    charge_start_sql: str  # -> TIMESTAMP the charge starts
    period_window: tuple[str, str]  # SQL interval bounds tolerated around the period
    currency_sql: str = "null"  # -> VARCHAR billing currency
    excluded_from_billed_sql: str = "false"  # rows whose cost is not on the invoice
    credits_sql: str = "0"  # per-row credits billed with the row (GCP credits[])

    @property
    def billed_sql(self) -> str:
        """Per-row amount on the invoice (DECIMAL): cost as exported plus attached credits."""
        return (
            f"(try_cast(cast({self.cost_sql} as varchar) as {MONEY})"
            f" + coalesce(cast({self.credits_sql} as {MONEY}), 0))"
        )


def _ts(expr: str) -> str:
    return f"try_cast({expr} AS TIMESTAMP)"


def _us_date(expr: str) -> str:
    # Azure: US dates (MM/DD/YYYY or M/D/YYYY) in EA exports, ISO in newer ones
    return (
        f"coalesce(try_strptime(CAST({expr} AS VARCHAR), ['%m/%d/%Y', '%Y-%m-%d']),"
        f" try_cast({expr} AS TIMESTAMP))"
    )


AWS_CUR2 = Variant(
    name="aws_cur2",
    provider="aws",
    description="AWS CUR 2.0 (Data Exports), snake_case columns with map columns",
    signature=("line_item_unblended_cost", "resource_tags", "product"),
    required=(
        "bill_billing_period_start_date",
        "bill_payer_account_id",
        "line_item_usage_account_id",
        "line_item_line_item_type",
        "line_item_usage_start_date",
        "line_item_unblended_cost",
        "line_item_product_code",
    ),
    period_sql="date_trunc('month', try_cast(bill_billing_period_start_date AS TIMESTAMP))::DATE",
    cost_sql="line_item_unblended_cost",
    currency_sql="line_item_currency_code",
    charge_start_sql=_ts("line_item_usage_start_date"),
    period_window=("INTERVAL 0 DAY", "INTERVAL 0 DAY"),
)

# Legacy CUR in parquet/Athena form: CUR 2.0's names, but tags and product as flat columns.
AWS_CUR_ATHENA = replace(
    AWS_CUR2,
    name="aws_cur_athena",
    description="AWS legacy CUR with Athena/parquet-style names (line_item_*, resource_tags_user_*)",
    signature=("line_item_unblended_cost", "line_item_line_item_type"),
)

AWS_CUR_LEGACY = Variant(
    name="aws_cur_legacy",
    provider="aws",
    description="AWS legacy CUR CSV with slash names (lineItem/UnblendedCost)",
    signature=("lineItem/UnblendedCost", "lineItem/LineItemType"),
    required=(
        "bill/BillingPeriodStartDate",
        "bill/PayerAccountId",
        "lineItem/UsageAccountId",
        "lineItem/LineItemType",
        "lineItem/UsageStartDate",
        "lineItem/UnblendedCost",
        "lineItem/ProductCode",
    ),
    period_sql=f"date_trunc('month', try_cast({q('bill/BillingPeriodStartDate')} AS TIMESTAMP))::DATE",
    cost_sql=q("lineItem/UnblendedCost"),
    currency_sql=q("lineItem/CurrencyCode"),
    charge_start_sql=_ts(q("lineItem/UsageStartDate")),
    period_window=("INTERVAL 0 DAY", "INTERVAL 0 DAY"),
)

# GCP: usage is invoiced in the month it is reported, which can trail the usage by a few days.
GCP_NESTED = Variant(
    name="gcp_nested",
    provider="gcp",
    description="GCP BigQuery billing export with nested records (parquet or JSON lines)",
    signature=("cost", "service", "usage_start_time", "invoice"),
    required=("billing_account_id", "service", "sku", "usage_start_time", "cost", "invoice"),
    period_sql="try_strptime(CAST(invoice.month AS VARCHAR), '%Y%m')::DATE",
    cost_sql="cost",
    currency_sql="currency",
    charge_start_sql="try_cast(usage_start_time AS TIMESTAMP)",
    period_window=("INTERVAL 31 DAY", "INTERVAL 0 DAY"),
    credits_sql="list_sum([try_cast(c.amount AS DOUBLE) for c in credits])",
)

GCP_FLAT = Variant(
    name="gcp_flat",
    provider="gcp",
    description="GCP billing export flattened to CSV (dotted names, credits as list literals)",
    signature=("cost", "service.description", "usage_start_time", "invoice.month"),
    required=(
        "billing_account_id",
        "service.description",
        "sku.id",
        "usage_start_time",
        "cost",
        "invoice.month",
    ),
    period_sql=f"try_strptime(CAST({q('invoice.month')} AS VARCHAR), '%Y%m')::DATE",
    cost_sql="cost",
    currency_sql="currency",
    charge_start_sql="try_cast(usage_start_time AS TIMESTAMP)",
    period_window=("INTERVAL 31 DAY", "INTERVAL 0 DAY"),
    # credits are a Python-literal list in the CSV: [{'name': 'x', 'amount': -1.0, ...}]
    credits_sql=(
        "list_sum([c.amount for c in from_json("
        "replace(replace(credits, chr(39), chr(34)), ': None', ': null'),"
        ' \'[{"amount":"DOUBLE"}]\')])'
    ),
)

_AZ_COMMITMENT_USAGE = (
    "(\"ChargeType\" IN ('UnusedReservation', 'UnusedSavingsPlan') OR "
    "(\"ChargeType\" = 'Usage' AND \"PricingModel\" IN ('Reservation', 'SavingsPlan')))"
)

AZURE_EA = Variant(
    name="azure_ea",
    provider="azure",
    description="Azure EA cost details (Cost, BillingCurrency), actual or amortized",
    signature=("Cost", "MeterCategory", "Date", "SubscriptionId"),
    required=(
        "BillingAccountId",
        "BillingPeriodStartDate",
        "SubscriptionId",
        "Date",
        "Cost",
        "MeterCategory",
        "ChargeType",
    ),
    period_sql=f"date_trunc('month', {_us_date(q('BillingPeriodStartDate'))})::DATE",
    cost_sql=q("Cost"),
    currency_sql=q("BillingCurrency"),
    charge_start_sql=_us_date(q("Date")),
    period_window=("INTERVAL 0 DAY", "INTERVAL 0 DAY"),
    excluded_from_billed_sql=_AZ_COMMITMENT_USAGE,
)

AZURE_MCA = replace(
    AZURE_EA,
    name="azure_mca",
    description="Azure cost details, newer schema (CostInBillingCurrency, BillingCurrencyCode)",
    signature=("CostInBillingCurrency", "MeterCategory", "Date", "SubscriptionId"),
    required=tuple("CostInBillingCurrency" if c == "Cost" else c for c in AZURE_EA.required),
    cost_sql=q("CostInBillingCurrency"),
    currency_sql=q("BillingCurrencyCode"),
)

# Order matters: the first whose signature matches wins (CUR 2.0 before Athena-style).
VARIANTS: tuple[Variant, ...] = (
    AWS_CUR2,
    AWS_CUR_LEGACY,
    AWS_CUR_ATHENA,
    GCP_NESTED,
    GCP_FLAT,
    AZURE_MCA,
    AZURE_EA,
)
BY_NAME = {v.name: v for v in VARIANTS}


def detect(columns: Iterable[str]) -> Variant | None:
    """The variant whose signature columns are all present, or None (unknown schema)."""
    cols = set(columns)
    for v in VARIANTS:
        if all(c in cols for c in v.signature):
            return v
    return None
