"""Tagging and compliance queries, and whole optional marts (IaC checks, ML tables)."""

from __future__ import annotations

from typing import Any

from app.cockpit.queries.core import OPTIONAL, Marts


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
