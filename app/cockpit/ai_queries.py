"""The AI spend page's queries over the published AI marts (team scope applied by Marts), and the
AI budget state file. Dimensions come from constant maps, never from user text."""

from __future__ import annotations

from typing import Any

from app.cockpit.queries import Marts

Rows = tuple[list[str], list[tuple[Any, ...]]]
DAILY_DIMENSIONS = {
    "provider": "ai_provider",
    "model": "model",
    "team": "team_id",
    "billed via": "billed_via",
}


def spend_over_time(m: Marts, dimension: str) -> Rows:
    """Daily AI cost by provider, model, team or billing route."""
    col = DAILY_DIMENSIONS[dimension]  # a KeyError for anything else: no user text in the SQL
    sql = (
        f"select usage_date as period, coalesce({col}, 'unknown') as series, "  # noqa: S608 - col is a constant of DAILY_DIMENSIONS
        "billing_currency, sum(cost) as cost from read_parquet($fct_ai_costs_daily) "
        "group by all order by 1, 2"
    )
    return m.columns(sql, marts=("fct_ai_costs_daily",))


def models_table(m: Marts) -> Rows:
    """Tokens, cost, cost per 1k tokens and cache savings per provider and model."""
    sql = """
        select ai_provider, model, billed_via, billing_currency,
               sum(tokens) as tokens, sum(input_tokens) as input_tokens,
               sum(output_tokens) as output_tokens, sum(cache_read_tokens) as cache_read_tokens,
               sum(cost) as cost,
               case when sum(tokens) > 0 then sum(cost) * 1000 / sum(tokens) end as cost_per_1k_tokens,
               sum(cache_savings) as cache_savings
        from read_parquet($fct_ai_costs_daily)
        group by all order by cost desc
    """
    return m.columns(sql, marts=("fct_ai_costs_daily",))


def agents_over_time(m: Marts) -> Rows:
    sql = """
        select usage_date as period, agent as series, sum(cost) as cost
        from read_parquet($fct_ai_agents_daily) group by all order by 1, 2
    """
    return m.columns(sql, marts=("fct_ai_agents_daily",))


def top_agents(m: Marts, limit: int = 20) -> Rows:
    sql = """
        select agent, team_id, sum(cost) as cost, sum(tokens) as tokens, sum(calls) as calls,
               sum(sessions) as sessions, max(usage_date) as last_active
        from read_parquet($fct_ai_agents_daily) group by all order by cost desc limit $limit
    """
    return m.columns(sql, {"limit": max(1, min(int(limit), 500))}, marts=("fct_ai_agents_daily",))


def top_sessions(m: Marts, limit: int = 20) -> Rows:
    sql = """
        select session_id, agent, team_id, first_date, last_date, models, calls, tokens, cost
        from read_parquet($fct_ai_sessions) order by cost desc limit $limit
    """
    return m.columns(sql, {"limit": max(1, min(int(limit), 500))}, marts=("fct_ai_sessions",))


def reconciliation(m: Marts) -> Rows:
    sql = """
        select ai_provider, model, count(*) as days, sum(priced_usage) as priced_usage,
               sum(source_cost) as source_cost, sum(difference) as difference,
               sum(unpriced_tokens) as unpriced_tokens, bool_and(is_reconciled) as all_days_reconciled
        from read_parquet($fct_ai_reconciliation) group by all order by source_cost desc
    """
    return m.columns(sql, marts=("fct_ai_reconciliation",))


def budget_state(m: Marts, visible_agents: set[str] | None) -> list[dict[str, Any]]:
    """The published AI budget state; a team-scoped user sees the budgets of the agents they can
    see, nothing provider- or model-wide."""
    from models_ml.ai_budget import read_state

    doc = read_state(m.marts_dir)  # a local folder or the marts' bucket
    if doc is None:
        return []
    rows = [r for r in doc.get("budgets", []) if isinstance(r, dict)]
    if visible_agents is None:
        return rows
    return [r for r in rows if r.get("scope", "").removeprefix("agent:") in visible_agents]
