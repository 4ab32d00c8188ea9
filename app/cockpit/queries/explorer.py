"""Cost explorer and team queries: dimensions, filters, totals, top movers, the team hierarchy,
breakdowns and the monthly showback. Only identifiers from the fixed ``DIMENSIONS`` and
``COST_COLUMNS`` maps are ever placed in SQL text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.cockpit.queries.core import Marts

DIMENSIONS: dict[str, str] = {
    "provider": "provider",
    "account": "sub_account_id",
    "service": "service_name",
    "region": "region_id",
    "team": "team_id",
    "business unit": "business_unit_id",
    "business group": "business_group_id",
    "environment": "environment",
    "resource": "resource_id",
    "tag value": "coalesce(json_extract_string(normalized_tags_json, $tag_path), '(untagged)')",
}
COST_COLUMNS = {"billed": "billed_cost", "effective": "effective_cost", "list": "list_cost"}
# Resource and tag views need the resource-level mart (millions of rows at 10M line items); every
# other dimension is answered from the much smaller daily fact.
RESOURCE_LEVEL = ("resource", "tag value")


def source_of(*dimensions: str) -> str:
    return (
        "fct_resource_daily_costs"
        if any(d in RESOURCE_LEVEL for d in dimensions)
        else "fct_daily_costs"
    )


GRAINS = {"daily": "charge_date", "monthly": "date_trunc('month', charge_date)::date"}


@dataclass(frozen=True)
class Explore:
    dimension: str = "service"
    cost: str = "effective"
    grain: str = "daily"
    start: dt.date | None = None
    end: dt.date | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (dimension, allowed values)
    tag_key: str = "team"


def _where(e: Explore, params: dict[str, Any]) -> str:
    clauses = ["true"]
    if e.start:
        clauses.append("charge_date >= $start")
        params["start"] = e.start
    if e.end:
        clauses.append("charge_date <= $end")
        params["end"] = e.end
    for i, (dim, values) in enumerate(e.filters):
        if values:
            clauses.append(f"{DIMENSIONS[dim]} in (select unnest($f{i}))")
            params[f"f{i}"] = list(values)
    return " and ".join(clauses)


def _check(e: Explore) -> None:
    if e.dimension not in DIMENSIONS or e.cost not in COST_COLUMNS or e.grain not in GRAINS:
        raise ValueError(f"unknown dimension/cost/grain: {e.dimension}/{e.cost}/{e.grain}")
    for dim, _ in e.filters:
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown filter dimension {dim!r}")


def explore(m: Marts, e: Explore, top: int = 10) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Cost per period for the `top` largest values of the dimension over the range (and
    currency); every other value is summed into 'other', so a resource view stays a chart."""
    _check(e)
    src = source_of(e.dimension, *(d for d, _ in e.filters))
    params: dict[str, Any] = {"tag_path": f"$.{e.tag_key}", "top": top}
    # SQL text holds only identifiers from the fixed maps above; values are bound
    sql = f"""with base as (
                  select {GRAINS[e.grain]} as period, {DIMENSIONS[e.dimension]} as value, billing_currency as currency,
                         sum({COST_COLUMNS[e.cost]}) as cost
                  from read_parquet(${src})
                  where {_where(e, params)}
                  group by all),
              top_values as (select value from base group by value order by sum(abs(cost)) desc limit $top)
              select period, case when value in (select value from top_values) then value else 'other' end as value,
                     currency, sum(cost) as cost
              from base group by all order by 1, 4 desc"""  # noqa: S608
    return m.columns(sql, params, marts=(src,))


def explore_totals(
    m: Marts, e: Explore, limit: int = 200
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The table under the chart: total per dimension value over the range."""
    _check(e)
    src = source_of(e.dimension, *(d for d, _ in e.filters))
    params: dict[str, Any] = {"tag_path": f"$.{e.tag_key}", "limit": limit}
    # SQL text holds only identifiers from the fixed maps above; values are bound
    sql = f"""select {DIMENSIONS[e.dimension]} as value, billing_currency as currency, sum({COST_COLUMNS[e.cost]}) as cost
              from read_parquet(${src})
              where {_where(e, params)}
              group by all order by 3 desc limit $limit"""  # noqa: S608
    return m.columns(sql, params, marts=(src,))


def filter_values(m: Marts, dimension: str, tag_key: str = "team", limit: int = 500) -> list[str]:
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    src = source_of(dimension)
    rows = m.query(
        # SQL text holds only identifiers from the fixed maps above; values are bound
        f"""select {DIMENSIONS[dimension]} as v from read_parquet(${src})
                       group by 1 order by sum(abs(effective_cost)) desc limit $limit""",  # noqa: S608
        {"tag_path": f"$.{tag_key}", "limit": limit},
        marts=(src,),
    )
    return [str(r[0]) for r in rows if r[0] is not None]


def tag_keys(m: Marts) -> list[str]:
    rows = m.query(
        """select k from (select unnest(json_keys(normalized_tags_json)) as k
                                    from read_parquet($fct_resource_daily_costs) where normalized_tags_json is not null)
                      group by 1 order by count(*) desc""",
        marts=("fct_resource_daily_costs",),
    )
    return [str(r[0]) for r in rows]


def date_range(m: Marts) -> tuple[dt.date, dt.date]:
    lo, hi = m.query(
        "select min(charge_date), max(charge_date) from read_parquet($fct_daily_costs)",
        marts=("fct_daily_costs",),
    )[0]
    return lo, hi


def top_movers(
    m: Marts, dimension: str, cost: str = "effective", days: int = 30, limit: int = 10
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Largest changes of the last `days` days against the `days` before."""
    _check(Explore(dimension=dimension, cost=cost))
    src = source_of(dimension)
    # SQL text holds only identifiers from the fixed maps above; values are bound
    sql = f"""with d as (select *, (select max(charge_date) from read_parquet(${src})) as as_of
                         from read_parquet(${src}))
              select {DIMENSIONS[dimension]} as value, billing_currency as currency,
                     sum({COST_COLUMNS[cost]}) filter (where charge_date > as_of - $days) as last_period,
                     sum({COST_COLUMNS[cost]}) filter (where charge_date <= as_of - $days and charge_date > as_of - 2 * $days) as prior_period,
                     coalesce(last_period, 0) - coalesce(prior_period, 0) as change
              from d group by all order by abs(change) desc limit $limit"""  # noqa: S608
    return m.columns(sql, {"days": days, "limit": limit, "tag_path": "$.team"}, marts=(src,))


def team_hierarchy(m: Marts) -> tuple[list[str], list[tuple[Any, ...]]]:
    sql = """select business_group_name, business_unit_name, team_id, team_name, billing_currency,
                    cost_last_30d, change_30d_pct, month_to_date_cost, mom_change_pct
             from read_parquet($fct_cost_by_team_30d) order by business_group_name, business_unit_name, cost_last_30d desc"""
    cols, rows = m.columns(sql, marts=("fct_cost_by_team_30d",))
    if not m.has("fct_budget_status"):
        return cols, rows
    used = dict(
        m.query(
            """select scope_value, actual_cost_to_date * 100.0 / nullif(budget_amount, 0) from read_parquet($fct_budget_status)
           where scope_type = 'team' and period = 'monthly'
           qualify row_number() over (partition by scope_value order by as_of_date desc) = 1""",
            marts=("fct_budget_status",),
        )
    )
    return [*cols, "budget_used_pct"], [(*r, used.get(r[2])) for r in rows]


def team_breakdown(
    m: Marts, team_id: str, dimension: str, days: int = 30, limit: int = 25
) -> tuple[list[str], list[tuple[Any, ...]]]:
    if dimension not in ("service", "resource", "account", "region"):
        raise ValueError(dimension)
    src = source_of(dimension)
    name = "any_value(resource_name) as resource_name, " if dimension == "resource" else ""
    # SQL text holds only identifiers from the fixed maps above; values are bound
    sql = f"""select {DIMENSIONS[dimension]} as value, {name}billing_currency as currency, sum(effective_cost) as cost
              from read_parquet(${src})
              where team_id = $team and charge_date > (select max(charge_date) from read_parquet(${src})) - $days
              group by value, currency order by cost desc limit $limit"""  # noqa: S608
    return m.columns(sql, {"team": team_id, "days": days, "limit": limit}, marts=(src,))


def monthly_showback(m: Marts) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Billed and effective cost per month and team (the showback statement)."""
    sql = """select strftime(billing_period, '%Y-%m') as month, d.team_id, t.team_name, t.business_unit_name,
                    t.business_group_name, billing_currency as currency,
                    sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost
             from read_parquet($fct_daily_costs) d left join read_parquet($dim_teams) t using (team_id)
             group by all order by month desc, effective_cost desc"""
    return m.columns(sql, marts=("fct_daily_costs", "dim_teams"))


def account_names(m: Marts) -> dict[str, str]:
    """Account id -> name (dim_accounts), for labels; empty when the dimension is not published."""
    if not m.has("dim_accounts"):
        return {}
    rows = m.query(
        "select sub_account_id, any_value(sub_account_name) from read_parquet($dim_accounts) group by 1",
        marts=("dim_accounts",),
    )
    return {str(a): str(n) for a, n in rows if a is not None and n}
