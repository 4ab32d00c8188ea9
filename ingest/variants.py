"""Schema variants of billing exports: how to recognise each one and read its key facts.

Each variant is data: the columns that identify it, the columns it must have, and DuckDB SQL
expressions (over the raw, as-exported column names) for the facts ingest validates and
reconciles: billing period, billed cost, charge date, billing account, currency.

Column names are *templates*: ``{{Cost|PreTaxCost}}`` names a column by its aliases across
schema generations, matched case-insensitively (Azure writes ``preTaxCost`` in one generation and
``PreTaxCost`` in another). :func:`detect` picks the variant of a header and :meth:`Variant.bind`
resolves every template to the file's own spelling, quoted as an identifier; a template with no
matching column becomes SQL ``null``. Names are never rewritten in the lake; the dbt staging
models resolve the same aliases with the ``lake_col`` macro.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace

from ingest.sql import ident

MONEY = "DECIMAL(38, 10)"
_TEMPLATE = re.compile(r"\{\{([^{}]+)\}\}")


def q(name: str) -> str:
    """Quote a raw column name for DuckDB (names contain '/', '.', ':' and spaces)."""
    return ident(name)


def t(*aliases: str) -> str:
    """A column template: the first alias present in a file (case-insensitive) wins."""
    return "{{" + "|".join(aliases) + "}}"


def resolve(template: str, columns: Sequence[str]) -> str | None:
    """The file's column for an alias group ``A|B``: exact spelling first, then any case."""
    names = template.strip("{}").split("|")
    present = set(columns)
    for name in names:
        if name in present:
            return name
    lower: dict[str, str] = {}
    for c in columns:
        lower.setdefault(c.lower(), c)
    for name in names:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


@dataclass(frozen=True)
class Variant:
    name: str
    provider: str  # a source in ingest.providers.SOURCES ("focus" for FOCUS datasets)
    description: str
    signature: tuple[str, ...]  # all present -> this variant (checked in registry order)
    required: tuple[str, ...]  # must exist, else the file is quarantined
    period_sql: str  # -> DATE, first day of the billing period
    cost_sql: str  # -> VARCHAR/DOUBLE raw billed cost as exported (before cast)
    charge_start_sql: str  # -> TIMESTAMP the charge starts
    period_window: tuple[str, str]  # SQL interval bounds tolerated around the period
    currency_sql: str = "null"  # -> VARCHAR billing currency
    account_sql: str = "null"  # -> VARCHAR billing (payer) account, as exported
    provider_sql: str = "null"  # -> VARCHAR provider of the row (FOCUS: from ProviderName)
    excluded_from_billed_sql: str = "false"  # rows whose cost is not on the invoice
    credits_sql: str = "0"  # per-row credits billed with the row (GCP credits[])
    json_literal_columns: tuple[str, ...] = ()  # Python-literal lists/dicts, made JSON on ingest

    @property
    def billed_sql(self) -> str:
        """Per-row amount on the invoice (DECIMAL): cost as exported plus attached credits."""
        return (
            f"(try_cast(cast({self.cost_sql} as varchar) as {MONEY})"
            f" + coalesce(cast({self.credits_sql} as {MONEY}), 0))"
        )

    def matches(self, columns: Sequence[str]) -> bool:
        return all(resolve(s, columns) is not None for s in self.signature)

    def bind(self, columns: Sequence[str]) -> Variant:
        """This variant with every column template resolved against a file's header."""

        def sub(text: str) -> str:
            def one(m: re.Match[str]) -> str:
                col = resolve(m.group(0), columns)
                return q(col) if col is not None else "null"

            return _TEMPLATE.sub(one, text)

        changes: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("required", "json_literal_columns"):
                changes[f.name] = tuple(resolve(v, columns) or v.split("|")[0] for v in value)
            elif f.name.endswith("_sql"):
                changes[f.name] = sub(value)
        return replace(self, **changes)  # type: ignore[arg-type]


def _ts(expr: str) -> str:
    return f"try_cast({expr} AS TIMESTAMP)"


def _any_date(expr: str) -> str:
    # ISO dates and timestamps; US dates M/D/YYYY (Azure EA) and M/D/YY (FOCUS spec samples):
    # a two-digit year is read as 20YY, never as year 25
    text = f"trim(CAST({expr} AS VARCHAR))"
    return (
        f"(CASE WHEN regexp_full_match({text}, '\\d{{1,2}}/\\d{{1,2}}/\\d{{2}}')"
        f" THEN try_strptime({text}, '%m/%d/%y')"
        f" ELSE coalesce(try_strptime({text}, ['%m/%d/%Y', '%Y-%m-%d']),"
        f" try_cast({text} AS TIMESTAMP)) END)"
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
    period_sql=f"date_trunc('month', try_cast({t('bill_billing_period_start_date')} AS TIMESTAMP))::DATE",
    cost_sql=t("line_item_unblended_cost"),
    currency_sql=t("line_item_currency_code"),
    account_sql=t("bill_payer_account_id"),
    charge_start_sql=_ts(t("line_item_usage_start_date")),
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
    signature=(t("lineItem/UnblendedCost"), t("lineItem/LineItemType")),
    required=(
        "bill/BillingPeriodStartDate",
        "bill/PayerAccountId",
        "lineItem/UsageAccountId",
        "lineItem/LineItemType",
        "lineItem/UsageStartDate",
        "lineItem/UnblendedCost",
        "lineItem/ProductCode",
    ),
    period_sql=f"date_trunc('month', try_cast({t('bill/BillingPeriodStartDate')} AS TIMESTAMP))::DATE",
    cost_sql=t("lineItem/UnblendedCost"),
    currency_sql=t("lineItem/CurrencyCode"),
    account_sql=t("bill/PayerAccountId"),
    charge_start_sql=_ts(t("lineItem/UsageStartDate")),
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
    account_sql="billing_account_id",
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
    period_sql=f"try_strptime(CAST({t('invoice.month')} AS VARCHAR), '%Y%m')::DATE",
    cost_sql=t("cost"),
    currency_sql=t("currency"),
    account_sql=t("billing_account_id"),
    charge_start_sql=f"try_cast({t('usage_start_time')} AS TIMESTAMP)",
    period_window=("INTERVAL 31 DAY", "INTERVAL 0 DAY"),
    # ingest rewrites the Python-literal lists ([{'name': "Partner's credit", 'amount': -1.0}])
    # as JSON with the json library (reading.py), so from_json reads them safely
    credits_sql=(
        f'list_sum([c.amount for c in from_json({t("credits")}, \'[{{"amount":"DOUBLE"}}]\')])'
    ),
    json_literal_columns=("credits", "labels", "system_labels", "project.labels", "tags"),
)

# Azure cost details, every generation in one variant: EA (Cost, BillingCurrency, US dates), MCA
# and EA v2 (CostInBillingCurrency, BillingCurrencyCode), pay-as-you-go / usage details v1
# (PreTaxCost or preTaxCost, UsageDateTime, SubscriptionGuid, Currency), camelCase or PascalCase.
_AZ_COST = t("CostInBillingCurrency", "Cost", "PreTaxCost", "costInBillingCurrency")
_AZ_DATE = t("Date", "UsageDateTime", "UsageDate", "usageStart")
_AZ_CHARGE_TYPE = t("ChargeType")
_AZ_PRICING = t("PricingModel")
_AZ_COMMITMENT_USAGE = (
    f"({_AZ_CHARGE_TYPE} IN ('UnusedReservation', 'UnusedSavingsPlan') OR "
    f"({_AZ_CHARGE_TYPE} = 'Usage' AND {_AZ_PRICING} IN ('Reservation', 'SavingsPlan')))"
)

AZURE = Variant(
    name="azure_cost_details",
    provider="azure",
    description=(
        "Azure cost/usage details (EA, MCA, pay-as-you-go; v1 and v2; actual or amortized)"
    ),
    signature=(
        _AZ_COST,
        t("MeterCategory", "ServiceName"),
        _AZ_DATE,
        t("SubscriptionId", "SubscriptionGuid"),
    ),
    required=(
        _AZ_COST.strip("{}"),
        _AZ_DATE.strip("{}"),
        "SubscriptionId|SubscriptionGuid",
        "MeterCategory|ServiceName",
    ),
    period_sql=(
        f"date_trunc('month', coalesce({_any_date(t('BillingPeriodStartDate'))},"
        f" {_any_date(_AZ_DATE)}))::DATE"
    ),
    cost_sql=_AZ_COST,
    currency_sql=t("BillingCurrencyCode", "BillingCurrency", "Currency"),
    account_sql=(
        f"coalesce(nullif({t('BillingAccountId')}, ''), nullif({t('BillingProfileId')}, ''),"
        f" {t('SubscriptionId', 'SubscriptionGuid')})"
    ),
    charge_start_sql=_any_date(_AZ_DATE),
    period_window=("INTERVAL 0 DAY", "INTERVAL 0 DAY"),
    excluded_from_billed_sql=_AZ_COMMITMENT_USAGE,
)

# FOCUS 1.0 / 1.0r2 / 1.1 / 1.2 from any provider (AWS Data Exports, Azure FocusCost, GCP, OCI, or
# a multi-cloud file). The provider of a row is its ServiceProviderName (1.3) or ProviderName.
FOCUS = Variant(
    name="focus",
    provider="focus",
    description="FOCUS dataset (1.0, 1.0r2, 1.1 or 1.2), any provider",
    signature=(t("BilledCost"), t("ChargePeriodStart"), t("BillingPeriodStart")),
    required=("BilledCost", "ChargePeriodStart", "BillingPeriodStart", "ChargeCategory"),
    period_sql=f"date_trunc('month', {_any_date(t('BillingPeriodStart'))})::DATE",
    cost_sql=t("BilledCost"),
    currency_sql=t("BillingCurrency"),
    account_sql=t("BillingAccountId"),
    provider_sql=f"coalesce(nullif({t('ServiceProviderName')}, ''), {t('ProviderName')})",
    charge_start_sql=_any_date(t("ChargePeriodStart")),
    # a FOCUS charge may cover a whole term before the period that bills it (an end-of-contract
    # fee, a multi-year commitment purchase): up to five years back, never after the period
    period_window=("INTERVAL 5 YEAR", "INTERVAL 0 DAY"),
)

# OCI cost reports (reports/cost-csv/*.csv.gz): slash names like the legacy CUR.
OCI_COST = Variant(
    name="oci_cost",
    provider="oci",
    description="OCI cost report (reports/cost-csv: lineItem/referenceNo, cost/myCost)",
    signature=(t("lineItem/referenceNo"), t("cost/myCost")),
    required=(
        "lineItem/referenceNo",
        "lineItem/tenantId",
        "lineItem/intervalUsageStart",
        "product/service",
        "cost/myCost",
    ),
    period_sql=f"date_trunc('month', try_cast({t('lineItem/intervalUsageStart')} AS TIMESTAMP))::DATE",
    cost_sql=t("cost/myCost"),
    currency_sql=t("cost/currencyCode"),
    account_sql=t("lineItem/tenantId"),
    charge_start_sql=_ts(t("lineItem/intervalUsageStart")),
    period_window=("INTERVAL 0 DAY", "INTERVAL 0 DAY"),
)

# Recognised but not loaded: the reason is reported instead of "unknown schema".
SKIPPED_SCHEMAS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        (t("lineItem/referenceNo"), t("usage/consumedQuantity")),
        "OCI usage report (reports/usage-csv): quantities without cost; the cost report "
        "(reports/cost-csv) or the FOCUS report carries the money",
    ),
)

# Order matters: the first whose signature matches wins (CUR 2.0 before Athena-style).
VARIANTS: tuple[Variant, ...] = (
    AWS_CUR2,
    AWS_CUR_LEGACY,
    AWS_CUR_ATHENA,
    GCP_NESTED,
    GCP_FLAT,
    FOCUS,
    AZURE,
    OCI_COST,
)
BY_NAME = {v.name: v for v in VARIANTS}


def detect(columns: Iterable[str]) -> Variant | None:
    """The variant whose signature columns are all present (any case), or None."""
    cols = list(columns)
    for v in VARIANTS:
        if v.matches(cols):
            return v
    return None


# Column names only Azure cost/usage details files use (every schema generation). A header that
# is not a known variant but names some of these, next to translated names or in parentheses after
# them ("Kosten (Cost)"), is an Azure portal download made in another language. No real localized
# file was found to map (docs/exports.md, "Known limits"), so such a file is quarantined with that
# reason rather than read through a guessed translation table.
AZURE_ONLY_COLUMNS: frozenset[str] = frozenset(
    name.lower()
    for name in (
        "AccountOwnerId",
        "AdditionalInfo",
        "BillingAccountId",
        "BillingProfileId",
        "ConsumedService",
        "CostInBillingCurrency",
        "InstanceId",
        "MeterCategory",
        "MeterId",
        "MeterName",
        "MeterRegion",
        "MeterSubCategory",
        "PreTaxCost",
        "ResourceGroup",
        "ResourceGroupName",
        "ResourceGuid",
        "ResourceLocation",
        "SubscriptionGuid",
        "SubscriptionId",
        "SubscriptionName",
        "UnitOfMeasure",
        "UsageDateTime",
    )
)
_IN_PARENS = re.compile(r"\(\s*([A-Za-z]+)\s*\)")


def localized_azure_header(columns: Iterable[str]) -> str | None:
    """Why an unrecognised header looks like a localized Azure export (None: it does not)."""
    cols = [c.strip() for c in columns]
    quoted = [m for c in cols for m in _IN_PARENS.findall(c) if m.lower() in AZURE_ONLY_COLUMNS]
    plain = [c for c in cols if c.lower() in AZURE_ONLY_COLUMNS]
    translated = [c for c in cols if not c.isascii()]
    if not quoted and not (plain and translated):
        return None
    example = (translated or cols)[0][:60]
    return (
        "the header looks like an Azure cost export downloaded in another language (translated "
        f"column names such as {example!r}, with Azure's "
        f"{', '.join(sorted(set(quoted or plain))[:3])}); Sibyl reads Azure's English column "
        "names: download it again with the Azure portal language set to English, or use a "
        "scheduled Cost Management export"
    )


def unknown_schema_reason(columns: Sequence[str]) -> str:
    """The quarantine reason for a header no variant matches (bounded: header names are input)."""
    localized = localized_azure_header(columns)
    if localized:
        return f"unknown schema: {localized}"[:600]
    shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
    return f"unknown schema: no known export variant matches the columns [{shown}]"[:600]


def skipped_schema(columns: Iterable[str]) -> str | None:
    """Why a recognised, deliberately unloaded schema is skipped (None: not one of them)."""
    cols = list(columns)
    for signature, reason in SKIPPED_SCHEMAS:
        if all(resolve(s, cols) is not None for s in signature):
            return reason
    return None
