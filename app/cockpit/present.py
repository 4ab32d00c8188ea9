"""The cockpit's one presentation layer: how money, percentages, dates, column headers, tables and
charts look on every page.

Plain functions (pandas and Altair, no queries): money reaches charts as floats with the currency
known (``to_frame`` converts every Decimal column, whichever row holds the first non-null value),
tables get friendly headers, currency formats, a total row and a % share, and charts get a palette
that does not repeat within a chart, legends sorted by cost, monthly bars of a proper width and
dates with years.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$"}
# Streamlit NumberColumn presets that print a currency symbol and thousands separators.
_ST_PRESETS = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}

# Column name in a mart / query -> header a FinOps user reads.
LABELS: dict[str, str] = {
    "value": "Name",
    "cost": "Cost",
    "currency": "Currency",
    "billing_currency": "Currency",
    "billed_cost": "Billed cost",
    "effective_cost": "Effective cost",
    "list_cost": "List cost",
    "last_period": "Last period",
    "prior_period": "Period before",
    "change": "Change",
    "change_pct": "Change %",
    "share_pct": "% of total",
    "pct_cost_tagged": "% of cost tagged",
    "pct_resources_tagged": "% of resources tagged",
    "taggable_cost": "Taggable cost",
    "cost_last_30d": "Cost, last 30 days",
    "change_30d_pct": "vs 30 days before %",
    "month_to_date_cost": "Month to date",
    "mom_change_pct": "Last full month vs the one before %",
    "last_month_cost": "Last full month",
    "prev_month_cost": "Month before",
    "budget_used_pct": "Budget used %",
    "business_group_name": "Business group",
    "business_unit_name": "Business unit",
    "team_id": "Team id",
    "team_name": "Team",
    "team": "Team",
    "month": "Month",
    "provider": "Provider",
    "service_name": "Service",
    "sub_account_id": "Account id",
    "sub_account_name": "Account",
    "resource_id": "Resource id",
    "resource_name": "Resource",
    "missing_required_tags": "Missing tags",
    "attribution_method": "Attributed by",
    "start_date": "Start",
    "end_date": "End",
    "scope_type": "Scope",
    "scope_value": "Scope value",
    "owner_team_id": "Owner",
    "age_days": "Age (days)",
    "kind": "Kind",
    "is_ongoing": "Ongoing",
    "lifecycle_state": "Lifecycle",
    "cost_impact": "Cost impact",
    "actual_cost": "Actual",
    "expected_cost": "Expected",
    "confidence": "Confidence",
    "methods": "Baseline",
    "root_cause_path": "Root cause",
    "status": "Status",
    "status_by": "Status by",
    "status_note": "Note",
    "event_id": "Event",
    "budget_id": "Budget",
    "scope": "Scope",
    "period": "Period",
    "period_start": "Period start",
    "period_end": "Period end",
    "as_of_date": "As of",
    "budget_amount": "Budget",
    "actual_cost_to_date": "Spent to date",
    "pct_used": "% used",
    "daily_burn_rate": "Daily burn",
    "projected_period_end_cost": "Projected at period end",
    "projected_pct": "Projected %",
    "projection_method": "Projection",
    "projected_exhaustion_date": "Runs out on",
    "thresholds_crossed": "Thresholds crossed",
    "alert_level": "Alert",
    "breaker_state": "Breaker",
    "breaker_reason": "Breaker reason",
    "override_until": "Override until",
    "override_by": "Override by",
    "checked_at": "Checked at",
    "repo": "Repository",
    "pr": "PR",
    "branch": "Branch",
    "environment": "Environment",
    "decision": "Decision",
    "total_monthly_cost_before": "Monthly cost before",
    "total_monthly_cost": "Monthly cost after",
    "delta_monthly_cost": "Monthly change",
    "violations": "Violations",
    "blocking_violations": "Blocking",
    "unpriced_resources": "Unpriced resources",
    "plan_path": "Plan",
    "url": "Link",
    "billing_period": "Billing period",
    "raw_billed_cost": "Billed in the export",
    "focus_billed_cost": "Billed in FOCUS charges",
    "daily_billed_cost": "Billed in the daily mart",
    "difference": "Difference",
    "raw_rows": "Export rows",
    "focus_rows": "FOCUS rows",
    "is_reconciled": "Reconciled",
    "is_final": "Final",
    "last_charge_date": "Data through",
    "days_behind": "Days behind",
    "last_delivery_at": "Last delivery",
    "rel": "File",
    "reason": "Reason",
    "quarantined_at": "Quarantined at",
    "rows": "Rows",
    "billed_total": "Billed total",
    "ingested_at": "Ingested at",
    "run_id": "Run",
    "at": "When",
    "actor": "Who",
    "role": "Role",
    "action": "Action",
    "target": "About",
    "note": "Note",
    "method": "Attributed by",
    "partial": "Partial month",
}
MONEY_COLUMNS = frozenset(
    {
        "cost", "billed_cost", "effective_cost", "list_cost", "last_period", "prior_period",
        "change", "taggable_cost", "cost_last_30d", "month_to_date_cost", "last_month_cost",
        "prev_month_cost", "cost_impact", "actual_cost", "expected_cost", "budget_amount",
        "actual_cost_to_date", "daily_burn_rate", "projected_period_end_cost",
        "total_monthly_cost_before", "total_monthly_cost", "delta_monthly_cost",
        "raw_billed_cost", "focus_billed_cost", "daily_billed_cost", "difference", "billed_total",
    }
)  # fmt: skip
PCT_COLUMNS = frozenset(
    {
        "change_pct", "share_pct", "pct_cost_tagged", "pct_resources_tagged", "change_30d_pct",
        "mom_change_pct", "budget_used_pct", "pct_used", "projected_pct",
    }
)  # fmt: skip


def label(column: str) -> str:
    """The header a user reads for a column (the column name, readable, when not listed)."""
    return LABELS.get(column, column.replace("_", " ").capitalize())


def symbol(currency: str | None) -> str | None:
    return SYMBOLS.get(currency or "")


def money(v: Decimal | float | int | None, currency: str | None = "USD", decimals: int = 2) -> str:
    """'$1,234.56', '-€12.00', '1,234.56 CHF'; '—' for no value."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "—"
    amount = Decimal(str(v)) if not isinstance(v, Decimal) else v
    text = f"{abs(amount):,.{decimals}f}"
    sign = "-" if amount < 0 else ""
    sym = symbol(currency)
    return f"{sign}{sym}{text}" if sym else f"{sign}{text} {currency or ''}".rstrip()


def pct(v: float | Decimal | None, signed: bool = False) -> str:
    """One decimal: '12.3%', '+4.0%' when signed; '—' for no value."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "—"
    return f"{float(v):+.1f}%" if signed else f"{float(v):.1f}%"


def change_pct(now: Decimal | float | None, before: Decimal | float | None) -> float | None:
    """% change from ``before`` to ``now``; None when there is nothing to compare with."""
    if now is None or before is None or not before:
        return None
    return float((Decimal(str(now)) - Decimal(str(before))) * 100 / abs(Decimal(str(before))))


def day(d: dt.date | None) -> str:
    """A date with its year ('3 Oct 2026')."""
    return "—" if d is None else f"{d.day} {d:%b %Y}"


def month(d: dt.date | None) -> str:
    """A month with its year ('Oct 2026')."""
    return "—" if d is None else f"{d:%b %Y}"


def timestamp(iso: str | None) -> str:
    """An ISO timestamp as '2 Dec 2026 14:44 UTC' (as given when it does not parse)."""
    if not iso:
        return "—"
    try:
        t = dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC)
    return f"{t.day} {t:%b %Y %H:%M} UTC"


def to_frame(cols: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> pd.DataFrame:
    """Rows as a pandas frame for tables and charts. Every column holding a Decimal in any row
    becomes float (nulls become NaN): charts and Arrow never see Decimal objects, whichever row
    comes first. Exact sums are computed in SQL or with Decimal before this point."""
    df = pd.DataFrame(list(rows), columns=list(cols))
    for c in df.columns:
        if df[c].dtype == object and df[c].map(lambda x: isinstance(x, Decimal)).any():
            df[c] = pd.to_numeric(
                df[c].map(lambda x: float(x) if isinstance(x, Decimal) else x), errors="coerce"
            ).astype(float)
    return df


def single_currency(df: pd.DataFrame) -> str | None:
    """The one currency of a frame's rows (its currency column), None when mixed or absent."""
    for c in ("currency", "billing_currency"):
        if c in df.columns:
            values = set(df[c].dropna())
            return next(iter(values)) if len(values) == 1 else None
    return None


def with_total_and_share(
    df: pd.DataFrame, value_col: str, label_col: str, total_label: str = "Total"
) -> pd.DataFrame:
    """The frame with a '% of total' column and a total row (per currency when mixed)."""
    if df.empty:
        return df
    out = df.copy()
    cur = next((c for c in ("currency", "billing_currency") if c in out.columns), None)
    groups = out.groupby(cur)[value_col] if cur else None
    totals = groups.transform("sum") if groups is not None else out[value_col].sum()
    out["share_pct"] = (out[value_col] * 100.0 / totals).where(totals != 0)
    tot_rows = []
    for currency, part in out.groupby(cur) if cur else [(None, out)]:
        row: dict[str, Any] = {c: None for c in out.columns}
        row[label_col] = (
            total_label if not cur or out[cur].nunique() == 1 else f"{total_label} {currency}"
        )
        row[value_col] = float(part[value_col].sum())
        row["share_pct"] = 100.0
        if cur:
            row[cur] = currency
        for c in out.columns:
            if c in MONEY_COLUMNS and c != value_col and pd.api.types.is_numeric_dtype(out[c]):
                row[c] = float(part[c].sum())
        tot_rows.append(row)
    return pd.concat([out, pd.DataFrame(tot_rows, columns=out.columns)], ignore_index=True)


def column_config(
    df: pd.DataFrame, currency: str | None = None, tooltips: dict[str, str] | None = None
) -> dict[str, Any]:
    """Streamlit column settings for a frame: friendly headers, money with the currency symbol and
    thousands separators, percentages with one decimal, links, dates with years."""
    import streamlit as st

    cur = currency or single_currency(df)
    preset = _ST_PRESETS.get(cur or "")
    cfg: dict[str, Any] = {}
    for c in df.columns:
        head = label(str(c))
        help_ = (tooltips or {}).get(str(c))
        if c in MONEY_COLUMNS:
            if preset:
                cfg[c] = st.column_config.NumberColumn(head, format=preset, help=help_)
            else:
                cfg[c] = st.column_config.NumberColumn(
                    f"{head} ({cur or 'mixed currencies'})", format="localized", help=help_
                )
        elif c in PCT_COLUMNS:
            cfg[c] = st.column_config.NumberColumn(head, format="%.1f%%", help=help_)
        elif c == "url":
            cfg[c] = st.column_config.LinkColumn(head, help=help_)
        elif c == "confidence":
            cfg[c] = st.column_config.ProgressColumn(head, min_value=0, max_value=1, format="%.2f")
        elif pd.api.types.is_bool_dtype(df[c]):
            cfg[c] = st.column_config.CheckboxColumn(head, help=help_)
        elif _holds(df[c], dt.date) and not _holds(df[c], dt.datetime):
            cfg[c] = st.column_config.DateColumn(head, format="D MMM YYYY", help=help_)
        elif c == "month" or c == "billing_period":
            cfg[c] = st.column_config.TextColumn(head, help=help_)
        elif _holds(df[c], dt.datetime) or pd.api.types.is_datetime64_any_dtype(df[c]):
            cfg[c] = st.column_config.DatetimeColumn(head, format="D MMM YYYY, HH:mm", help=help_)
        else:
            cfg[c] = st.column_config.TextColumn(head, help=help_)
    return cfg


def _holds(col: pd.Series, kind: type) -> bool:
    """Whether the first non-null value of an object column is a ``kind``."""
    if col.dtype != object:
        return False
    first = col.dropna()
    return bool(len(first)) and isinstance(first.iloc[0], kind)


def show_table(
    df: pd.DataFrame,
    *,
    currency: str | None = None,
    hide: Iterable[str] = (),
    tooltips: dict[str, str] | None = None,
    key: str | None = None,
) -> None:
    """st.dataframe with this module's headers and formats (``hide``: columns left out)."""
    import streamlit as st

    view = df.drop(columns=[c for c in hide if c in df.columns])
    st.dataframe(
        view,
        width="stretch",
        hide_index=True,
        column_config=column_config(view, currency, tooltips),
        key=key,
    )


def names_with_ids(ids: Iterable[Any], names: dict[str, str]) -> dict[str, str]:
    """id -> 'Name' when a name is known (the id then goes in the tooltip), else the id."""
    return {str(i): names.get(str(i)) or str(i) for i in ids}
