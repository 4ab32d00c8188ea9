"""Overview queries: KPIs (month to date, allocation, tag compliance, the optional ML marts),
freshness and the daily trend by provider."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.cockpit.queries.core import Marts


@dataclass(frozen=True)
class Kpis:
    as_of: dt.date
    currency: str
    mtd_cost: Decimal
    prev_mtd_cost: Decimal
    allocated_pct: float | None
    compliance_pct: float | None
    open_anomalies: int | None
    forecast_month_end: Decimal | None
    budget_month: Decimal | None


def main_currency(m: Marts) -> str:
    rows = m.query(
        "select billing_currency from read_parquet($fct_daily_costs) group by 1 order by sum(abs(effective_cost)) desc limit 1",
        marts=("fct_daily_costs",),
    )
    return str(rows[0][0]) if rows else "USD"


def kpis(m: Marts) -> Kpis:
    """Month to date vs the same days of last month (effective cost), share allocated to a team and
    tag compliance over the last 30 days, and what the optional ML marts say."""
    cur = main_currency(m)
    rows = m.query(
        """with d as (select * from read_parquet($fct_daily_costs) where billing_currency = $cur),
                a as (select max(charge_date) as as_of from d)
           select a.as_of,
                  coalesce(sum(effective_cost) filter (where charge_date >= date_trunc('month', a.as_of)), 0),
                  coalesce(sum(effective_cost) filter (where charge_date >= date_trunc('month', a.as_of) - interval 1 month
                                                  and charge_date <= a.as_of - interval 1 month), 0)
           from d, a group by a.as_of""",
        {"cur": cur},
        marts=("fct_daily_costs",),
    )
    as_of, mtd, prev = rows[0] if rows else (None, 0, 0)
    alloc = allocated_share(allocation_30d(m))
    comp = tag_compliance_30d(m) if m.has("fct_tag_compliance") else None
    anomalies = None
    if m.has("fct_cost_anomalies"):
        anomalies = int(
            m.query(
                "select count(*) from read_parquet($fct_cost_anomalies) where status = 'open'",
                marts=("fct_cost_anomalies",),
            )[0][0]
        )
    forecast = budget = None
    if m.has("fct_budget_status"):
        row = m.query(
            """select sum(projected_period_end_cost), sum(budget_amount) from read_parquet($fct_budget_status)
               where scope_type = 'organization' and period = 'monthly'
                 and as_of_date = (select max(as_of_date) from read_parquet($fct_budget_status))""",
            marts=("fct_budget_status",),
        )
        if row and row[0][1] is not None:
            forecast, budget = row[0]
    return Kpis(as_of, cur, Decimal(mtd), Decimal(prev), alloc, comp, anomalies, forecast, budget)


def allocation_30d(m: Marts) -> list[tuple[str, Decimal]]:
    """Effective cost of the last 30 days per attribution method (tag, account, ..., unallocated)."""
    return m.query(
        """with d as (select * from read_parquet($fct_daily_costs)
                      where charge_date > (select max(charge_date) from read_parquet($fct_daily_costs)) - 30)
           select attribution_method, sum(effective_cost) from d group by 1 order by 2 desc""",
        marts=("fct_daily_costs",),
    )


def allocated_share(allocation: list[tuple[str, Decimal]]) -> float | None:
    """% of cost attributed to a team by any method, from `allocation_30d`."""
    total = float(sum((v or 0) for _, v in allocation))
    if not total:
        return None
    return float(sum((v or 0) for k, v in allocation if k != "unallocated")) * 100 / total


def tag_compliance_30d(m: Marts) -> float | None:
    """% of taggable cost over the last 30 days carrying every required tag."""
    v = m.query(
        """with c as (select * from read_parquet($fct_tag_compliance)
                      where charge_date > (select max(charge_date) from read_parquet($fct_tag_compliance)) - 30)
           select sum(fully_tagged_cost) * 100.0 / nullif(sum(taggable_cost), 0) from c""",
        marts=("fct_tag_compliance",),
    )[0][0]
    return None if v is None else float(v)


def freshness(m: Marts) -> list[tuple[str, dt.date]]:
    """Latest charge date per provider."""
    return [
        (str(p), d)
        for p, d in m.query(
            "select provider, max(charge_date) from read_parquet($fct_daily_costs) group by 1 order by 1",
            marts=("fct_daily_costs",),
        )
    ]


def last_run(m: Marts) -> dt.datetime | None:
    """When the marts were last published (the daily fact's file time, UTC; None on a
    warehouse)."""
    return m.modified("fct_daily_costs")


def daily_by_provider(
    m: Marts, currency: str, days: int = 90, spread_monthly_fees: bool = False
) -> list[tuple[Any, ...]]:
    """Daily effective cost per provider over the last ``days`` days. With
    ``spread_monthly_fees``, a monthly fee (a provider/account/service whose cost in the data only
    ever falls on the 1st of a month, e.g. a support plan) is spread evenly over the days of its
    month that are in the data, so a trend shows a level, not a spike; each month's total is
    unchanged."""
    return m.query(
        """with d as (select charge_date, provider, sub_account_id, service_name, effective_cost
                      from read_parquet($fct_daily_costs) where billing_currency = $cur),
                bounds as (select max(charge_date) as as_of from d),
                fee_keys as (select provider, sub_account_id, service_name from d
                             group by all having $spread and bool_and(day(charge_date) = 1)
                                                and count(distinct charge_date) >= 2),
                is_fee as (select d.*, f.provider is not null as fee from d
                           left join fee_keys f using (provider, sub_account_id, service_name)),
                plain as (select charge_date, provider, effective_cost from is_fee where not fee),
                spread as (
                    select g.day::date as charge_date, i.provider,
                           i.effective_cost / (least(last_day(i.charge_date), b.as_of) - i.charge_date + 1) as effective_cost
                    from is_fee i cross join bounds b,
                         generate_series(i.charge_date, least(last_day(i.charge_date), b.as_of), interval 1 day) g(day)
                    where i.fee),
                allrows as (select * from plain union all select * from spread)
           select charge_date, provider, sum(effective_cost)::double as cost
           from allrows, bounds
           where charge_date > bounds.as_of - $days
           group by 1, 2 order by 1, 2""",
        {"days": days, "cur": currency, "spread": spread_monthly_fees},
        marts=("fct_daily_costs",),
    )
