"""Named, parameterized queries over the published Parquet marts (DESIGN.md, Serving).

The cockpit never opens the DuckDB warehouse: each query opens a short-lived in-memory DuckDB
connection that reads `<marts_dir>/<mart>.parquet` files, which the pipeline replaces atomically.
Filter values are always bound parameters; only identifiers chosen from the fixed `DIMENSIONS`
and `COST_COLUMNS` maps are ever placed in SQL text. No business logic lives here beyond
selecting, filtering and summing what the marts hold.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

# Dimension label -> SQL expression over fct_resource_daily_costs (identifiers only, fixed).
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

OPTIONAL = {  # marts other pipelines produce, and how to produce them
    "fct_cost_anomalies": "the Dagster job `ml_daily` (or `make demo`)",
    "fct_anomaly_series": "the Dagster job `ml_daily` (or `make demo`)",
    "fct_cost_forecasts": "the Dagster job `ml_daily` (or `make demo`)",
    "fct_budget_status": "the Dagster job `ml_daily` (or `make demo`)",
    "fct_iac_checks": "the `ci_plan_files` sensor and `gate/iac_policy_check` asset (`sibyl gate`, docs/iac_gate.md)",
}


class MartMissing(LookupError):
    def __init__(self, mart: str, path: Path) -> None:
        how = OPTIONAL.get(
            mart, "`make demo` (or the Dagster jobs `ingest_exports` and `transform_marts`)"
        )
        super().__init__(
            f"`{mart}` has not been produced yet ({path} does not exist). Produce it with {how}."
        )
        self.mart = mart


_IN_SCOPE = "in (select unnest($_scope_teams))"
# Mart -> the rows a team-scoped user may read (constant SQL; the team list is a bound parameter).
# A mart not listed here holds organization-wide money (reconciliation, ingest control totals) and
# returns no rows to a team-scoped user.
TEAM_SCOPE: dict[str, str] = {
    "fct_daily_costs": f"team_id {_IN_SCOPE}",
    "fct_resource_daily_costs": f"team_id {_IN_SCOPE}",
    "fct_cost_by_team_30d": f"team_id {_IN_SCOPE}",
    "fct_untagged_resources": f"team_id {_IN_SCOPE}",
    "fct_tag_compliance": f"team_id {_IN_SCOPE}",
    "fct_resource_attribution": f"team_id {_IN_SCOPE}",
    "dim_teams": f"team_id {_IN_SCOPE}",
    "dim_services": "true",
    "dim_accounts": "true",
    "fct_cost_anomalies": f"owner_team_id {_IN_SCOPE}",
    "fct_budget_status": f"scope_type = 'team' and scope_value {_IN_SCOPE}",
    "fct_anomaly_series": f"regexp_extract(series_id, '^team:(.*)[|][^|]*$', 1) {_IN_SCOPE}",
    "fct_cost_forecasts": f"regexp_extract(series_id, '^team:(.*)[|][^|]*$', 1) {_IN_SCOPE}",
    "fct_iac_checks": f"team {_IN_SCOPE}",
    "fct_savings_opportunities": f"team_id {_IN_SCOPE}",
    "fct_savings_recommendations": f"team_id {_IN_SCOPE}",
    # AI spend (issue 14): rows of the teams' agents, projects and cloud lines
    "fct_ai_costs_daily": f"team_id {_IN_SCOPE}",
    "fct_ai_agents_daily": f"team_id {_IN_SCOPE}",
    "fct_ai_sessions": f"team_id {_IN_SCOPE}",
    "fct_ai_charges": f"team_id {_IN_SCOPE}",
    "fct_ai_reconciliation": "false",  # provider-wide: finance and admins only
}


def _freeze(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _thaw(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


@functools.lru_cache(maxsize=512)
def _run(
    sql: str, frozen: tuple[tuple[str, Any], ...], version: tuple[tuple[str, int, int], ...]
) -> tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    """One query on a short-lived connection, cached by its text, parameters and the version
    (mtime, size) of every mart file it reads: a republished mart is a new cache key."""
    del version  # part of the cache key only
    con = duckdb.connect()
    try:
        cur = con.execute(sql, {k: _thaw(v) for k, v in frozen})
        rows = cur.fetchall()
        return tuple(d[0] for d in cur.description or []), tuple(rows)
    finally:
        con.close()


@dataclass(frozen=True)
class Marts:
    """The published marts folder, as one user may read it: ``teams`` None reads every team; a
    tuple of team ids restricts every query on every mart to those teams' rows (TEAM_SCOPE)."""

    marts_dir: str
    teams: tuple[str, ...] | None = None

    def path(self, mart: str) -> Path:
        return Path(self.marts_dir) / f"{mart}.parquet"

    def has(self, mart: str) -> bool:
        return self.path(mart).exists()

    def scoped(self) -> bool:
        return self.teams is not None

    def _bind(
        self, sql: str, params: dict[str, Any] | None, marts: tuple[str, ...]
    ) -> dict[str, Any]:
        """Mart paths and parameters, only those the SQL names (DuckDB rejects extra ones)."""
        bound: dict[str, Any] = {}
        for m in marts:
            if not self.has(m):
                raise MartMissing(m, self.path(m))
            bound[m] = str(self.path(m))
        bound.update(params or {})
        if self.teams is not None:
            bound["_scope_teams"] = list(self.teams)
        return {k: v for k, v in bound.items() if re.search(rf"\${k}\b", sql)}

    def _scope_sql(self, sql: str, marts: tuple[str, ...]) -> str:
        """``sql`` with every ``read_parquet($<mart>)`` narrowed to the user's teams. Fails closed:
        a mart named any other way in the text is refused rather than read unscoped."""
        if self.teams is None:
            return sql
        for m in marts:
            pred = TEAM_SCOPE.get(m, "false")
            plain = f"read_parquet(${m})"
            if sql.count(f"${m}") != sql.count(plain):
                raise ValueError(
                    f"{m} is read without read_parquet(${m}); cannot apply the team scope"
                )
            # the predicate is a constant of TEAM_SCOPE; the teams are a bound parameter
            sql = sql.replace(plain, f"(select * from read_parquet(${m}) where {pred})")  # noqa: S608
        return sql

    def query(
        self, sql: str, params: dict[str, Any] | None = None, *, marts: tuple[str, ...]
    ) -> list[tuple[Any, ...]]:
        """Rows of `sql`, where `$<mart>` names a mart file and other `$name`s bind `params`."""
        return self.columns(sql, params, marts=marts)[1]

    def columns(
        self, sql: str, params: dict[str, Any] | None = None, *, marts: tuple[str, ...]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of `sql` (see `query`), scoped to the user's teams, cached until
        one of the marts it reads is republished."""
        sql = self._scope_sql(sql, marts)
        bound = self._bind(sql, params, marts)
        version = tuple(
            (m, st.st_mtime_ns, st.st_size) for m in marts for st in (self.path(m).stat(),)
        )
        cols, rows = _run(sql, tuple(sorted((k, _freeze(v)) for k, v in bound.items())), version)
        return list(cols), list(rows)


# ---- overview ----------------------------------------------------------------------------------


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
    """When the marts were last published (the daily fact's file time, UTC)."""
    p = m.path("fct_daily_costs")
    return dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC) if p.exists() else None


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


# ---- cost explorer -----------------------------------------------------------------------------


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


# ---- teams & showback --------------------------------------------------------------------------


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


def team_anomalies(m: Marts, team_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The anomaly events on a team's own series, as the inbox lists them (latest first)."""
    cols, rows = anomaly_inbox(m, ANOMALY_STATUSES, scope_type="team", scope_value=team_id)
    keep = [i for i, c in enumerate(cols) if c not in ("series_id", "root_cause_json")]
    return [cols[i] for i in keep], [tuple(r[i] for i in keep) for r in rows]


# ---- tagging -----------------------------------------------------------------------------------


def tag_coverage_by_month(m: Marts) -> tuple[list[str], list[tuple[Any, ...]]]:
    sql = """select date_trunc('month', charge_date)::date as month,
                    sum(fully_tagged_cost) * 100.0 / nullif(sum(taggable_cost), 0) as pct_cost_tagged,
                    sum(fully_tagged_resource_count) * 100.0 / nullif(sum(resource_count), 0) as pct_resources_tagged
             from read_parquet($fct_tag_compliance) group by 1 order by 1"""
    return m.columns(sql, marts=("fct_tag_compliance",))


def tag_coverage_by(m: Marts, by: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    col = {"account": "sub_account_id", "team": "team_id"}[by]
    # SQL text holds only identifiers from the fixed maps above; values are bound
    sql = f"""select {col} as value, billing_currency as currency, sum(taggable_cost) as taggable_cost,
                     sum(fully_tagged_cost) * 100.0 / nullif(sum(taggable_cost), 0) as pct_cost_tagged
              from read_parquet($fct_tag_compliance)
              where charge_date > (select max(charge_date) from read_parquet($fct_tag_compliance)) - 30
              group by 1, 2 order by 3 desc"""  # noqa: S608
    return m.columns(sql, marts=("fct_tag_compliance",))


def untagged_resources(
    m: Marts, account: str | None = None, team: str | None = None, limit: int = 500
) -> tuple[list[str], list[tuple[Any, ...]]]:
    sql = """select resource_id, resource_name, provider, sub_account_id, team_id, service_name, missing_required_tags,
                    billing_currency as currency, cost_last_30d
             from read_parquet($fct_untagged_resources)
             where ($account is null or sub_account_id = $account) and ($team is null or team_id = $team)
             order by cost_last_30d desc limit $limit"""
    return m.columns(
        sql, {"account": account, "team": team, "limit": limit}, marts=("fct_untagged_resources",)
    )


# ---- optional marts ----------------------------------------------------------------------------


def table(
    m: Marts, mart: str, order_by_first: bool = True, limit: int = 500
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A whole optional mart (anomalies, forecasts, budgets), newest first."""
    if mart not in OPTIONAL:
        raise ValueError(mart)
    order = "order by 1 desc" if order_by_first else ""
    return m.columns(
        # the mart is one of OPTIONAL's keys (checked above) and names a bound parameter
        f"select * from read_parquet(${mart}) {order} limit $limit",  # noqa: S608
        {"limit": limit},
        marts=(mart,),
    )


def iac_checks(m: Marts, limit: int = 200) -> tuple[list[str], list[tuple[Any, ...]]]:
    sql = """select checked_at, repo, pr, branch, environment, team, decision, total_monthly_cost_before,
                    total_monthly_cost, delta_monthly_cost, violations, blocking_violations, unpriced_resources,
                    plan_path, url, violations_json
             from read_parquet($fct_iac_checks) order by checked_at desc limit $limit"""
    return m.columns(sql, {"limit": limit}, marts=("fct_iac_checks",))


# ---- anomalies ---------------------------------------------------------------------------------

ANOMALY_STATUSES = ("open", "acknowledged", "resolved")


def anomaly_inbox(
    m: Marts,
    statuses: tuple[str, ...] = ("open", "acknowledged"),
    scope_type: str | None = None,
    fresh_status: dict[str, tuple[str, str, str]] | None = None,
    limit: int = 500,
    scope_value: str | None = None,
    include_expired: bool = False,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Anomaly events, newest first, with their status, kind, whether still ongoing, owner, age
    (days, as of the last day of data) and lifecycle state; ``fresh_status`` (event -> status, by,
    note, from the status log) overrides the mart for changes made since the last pipeline run.
    Open events the lifecycle rule expired are left out unless ``include_expired``."""
    sql = """select event_id, start_date, end_date, scope_type, scope_value, owner_team_id, age_days,
                    kind, is_ongoing, lifecycle_state, billing_currency, cost_impact,
                    actual_cost, expected_cost, confidence, methods, root_cause_path, status, status_by,
                    status_note, series_id, root_cause_json
             from read_parquet($fct_cost_anomalies)
             where ($scope_type is null or scope_type = $scope_type)
               and ($scope_value is null or scope_value = $scope_value)
             order by end_date desc, cost_impact desc"""
    cols, rows = m.columns(
        sql, {"scope_type": scope_type, "scope_value": scope_value}, marts=("fct_cost_anomalies",)
    )
    rows = apply_status(cols, rows, fresh_status or {})
    i, lc = cols.index("status"), cols.index("lifecycle_state")
    return cols, [
        r
        for r in rows
        if r[i] in statuses and (include_expired or not (r[i] == "open" and r[lc] == "expired"))
    ][:limit]


def apply_status(
    cols: list[str], rows: list[tuple[Any, ...]], fresh: dict[str, tuple[str, str, str]]
) -> list[tuple[Any, ...]]:
    """Rows with status, status_by and status_note replaced by the newer entries of ``fresh``."""
    if not fresh:
        return rows
    e, s, b, n = (cols.index(c) for c in ("event_id", "status", "status_by", "status_note"))
    out = []
    for r in rows:
        if r[e] in fresh:
            r = list(r)  # type: ignore[assignment]
            r[s], r[b], r[n] = fresh[r[e]]  # type: ignore[index]
            r = tuple(r)
        out.append(r)
    return out


def anomaly_kpis(rows: list[tuple[Any, ...]], cols: list[str]) -> dict[str, Any]:
    """Counts and open cost impact of the inbox rows (all statuses)."""
    s, imp = cols.index("status"), cols.index("cost_impact")
    return {k: sum(1 for r in rows if r[s] == k) for k in ANOMALY_STATUSES} | {
        "open_impact": sum((r[imp] for r in rows if r[s] == "open"), Decimal(0))
    }


def anomaly_series(
    m: Marts, series_id: str, start: dt.date, end: dt.date, pad_days: int = 45
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A scored series around an event: actual, expected and band per day."""
    sql = """select ds, y, expected, lower, upper, is_anomaly from read_parquet($fct_anomaly_series)
             where series_id = $sid and ds between $start and $end order by ds"""
    return m.columns(
        sql,
        {
            "sid": series_id,
            "start": start - dt.timedelta(days=pad_days),
            "end": end + dt.timedelta(days=pad_days),
        },
        marts=("fct_anomaly_series",),
    )


# ---- forecasts & budgets -----------------------------------------------------------------------


def budget_latest(
    m: Marts, overrides: Sequence[Any] = (), now: dt.datetime | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The newest status row of every budget, most at risk first, with the breaker re-evaluated
    against ``overrides`` (models_ml.status.overrides) at ``now``: an override given after the
    last run counts at once, an expired one no longer does."""
    from models_ml.budget import breaker_state

    sql = """select budget_id, scope, period, period_start, period_end, as_of_date, billing_currency, budget_amount,
                    actual_cost_to_date, pct_used, daily_burn_rate, projected_period_end_cost, projected_pct,
                    projection_method, projected_exhaustion_date, thresholds_crossed, alert_level,
                    breaker_state, breaker_reason, override_until, override_by, scope_type, scope_value
             from read_parquet($fct_budget_status)
             qualify row_number() over (partition by budget_id order by as_of_date desc) = 1
             order by case alert_level when 'red' then 0 when 'orange' then 1 when 'yellow' then 2 else 3 end, pct_used desc"""
    cols, rows = m.columns(sql, marts=("fct_budget_status",))
    at = now or dt.datetime.now(dt.UTC)
    i = {
        c: cols.index(c)
        for c in (
            "budget_id",
            "scope",
            "breaker_reason",
            "breaker_state",
            "override_until",
            "override_by",
        )
    }
    live = []
    for r in rows:
        state, o = breaker_state(
            bool(r[i["breaker_reason"]]), r[i["scope"]], r[i["budget_id"]], overrides, at
        )
        row = list(r)
        row[i["breaker_state"]] = state
        row[i["override_until"]] = o.until if o else None
        row[i["override_by"]] = o.by if o else None
        live.append(tuple(row))
    return cols, live


def budget_burn(m: Marts, budget_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Actual to date and projections per as-of day in the current period of a budget."""
    sql = """with b as (select * from read_parquet($fct_budget_status) where budget_id = $id),
                  cur as (select max(period_start) as p from b)
             select as_of_date, actual_cost_to_date, projected_period_end_cost, budget_amount
             from b, cur where period_start = cur.p order by as_of_date"""
    return m.columns(sql, {"id": budget_id}, marts=("fct_budget_status",))


def forecast_scopes(m: Marts) -> list[str]:
    return [
        r[0]
        for r in m.query(
            "select distinct series_id from read_parquet($fct_cost_forecasts) order by 1",
            marts=("fct_cost_forecasts",),
        )
    ]


def forecast_vs_actual(
    m: Marts, series_id: str, history_days: int = 60
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The last ``history_days`` of actual daily cost of a forecast scope, then its forecast with
    80% and 95% intervals (one row per day; actual is null in the future and vice versa)."""
    from models_ml.runs import SCOPE_COLUMNS

    scope_type, rest = series_id.split(":", 1)
    value, currency = rest.rsplit("|", 1)
    col = SCOPE_COLUMNS.get(scope_type)
    if col is None:
        raise ValueError(series_id)
    # SQL text holds only identifiers from the fixed maps above; values are bound
    sql = f"""with f as (select * from read_parquet($fct_cost_forecasts) where series_id = $sid),
                  a as (select charge_date as ds, sum(effective_cost) as actual from read_parquet($fct_daily_costs)
                        where coalesce(cast({col} as varchar), '(none)') = $value and billing_currency = $cur
                          and charge_date > (select max(as_of_date) from f) - $days
                        group by 1)
             select coalesce(a.ds, f.ds) as ds, a.actual, f.yhat, f.yhat_lower, f.yhat_upper, f.yhat_lower_95,
                    f.yhat_upper_95, f.model, f.backtest_mase
             from a full outer join f on a.ds = f.ds order by 1"""  # noqa: S608
    return m.columns(
        sql,
        {"sid": series_id, "value": value, "cur": currency, "days": history_days},
        marts=("fct_cost_forecasts", "fct_daily_costs"),
    )


def budget_vs_forecast(m: Marts, budget_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A budget's current period day by day: cumulative actual to the as-of day, then actual plus the
    cumulative forecast of its scope (with the sums of the daily 80% bounds), against the amount."""
    from models_ml.runs import SCOPE_COLUMNS

    rows = m.query(
        """select scope_type, scope_value, billing_currency, period_start, period_end, as_of_date, budget_amount
                      from read_parquet($fct_budget_status) where budget_id = $id order by as_of_date desc limit 1""",
        {"id": budget_id},
        marts=("fct_budget_status",),
    )
    if not rows:
        return [], []
    scope_type, value, cur, start, end, as_of, amount = rows[0]
    col = SCOPE_COLUMNS[scope_type]
    marts: tuple[str, ...] = (
        ("fct_daily_costs", "fct_cost_forecasts")
        if m.has("fct_cost_forecasts")
        else ("fct_daily_costs",)
    )
    forecast = (
        """select ds, null as actual, yhat, yhat_lower, yhat_upper from read_parquet($fct_cost_forecasts)
                   where series_id = $sid and ds > $as_of and ds <= $end"""
        if len(marts) == 2
        else """select null::date as ds, null as actual, null as yhat, null as yhat_lower, null as yhat_upper where false"""
    )
    # SQL text holds only identifiers from the fixed maps above; values are bound
    sql = f"""with a as (select charge_date as ds, sum(effective_cost) as actual, null as yhat, null as yhat_lower, null as yhat_upper
                         from read_parquet($fct_daily_costs)
                         where coalesce(cast({col} as varchar), '(none)') = $value and billing_currency = $cur
                           and charge_date between $start and $as_of group by 1),
                  f as ({forecast}),
                  d as (select * from a union all by name select * from f),
                  c as (select ds, sum(coalesce(actual, 0)) over w as actual_to_date,
                               sum(coalesce(actual, yhat)) over w as with_forecast,
                               sum(coalesce(actual, yhat_lower)) over w as with_forecast_lower,
                               sum(coalesce(actual, yhat_upper)) over w as with_forecast_upper,
                               actual is not null as is_actual
                        from d window w as (order by ds))
             select ds, case when is_actual then actual_to_date end as actual_to_date,
                    case when not is_actual or ds = $as_of then with_forecast end as forecast_to_date,
                    case when not is_actual or ds = $as_of then with_forecast_lower end as forecast_lower,
                    case when not is_actual or ds = $as_of then with_forecast_upper end as forecast_upper,
                    $amount as budget_amount
             from c order by ds"""  # noqa: S608
    return m.columns(
        sql,
        {
            "value": value,
            "cur": cur,
            "start": start,
            "as_of": as_of,
            "end": end,
            "amount": amount,
            "sid": f"{scope_type}:{value}|{cur}",
        },
        marts=marts,
    )


def account_names(m: Marts) -> dict[str, str]:
    """Account id -> name (dim_accounts), for labels; empty when the dimension is not published."""
    if not m.has("dim_accounts"):
        return {}
    rows = m.query(
        "select sub_account_id, any_value(sub_account_name) from read_parquet($dim_accounts) group by 1",
        marts=("dim_accounts",),
    )
    return {str(a): str(n) for a, n in rows if a is not None and n}
