"""Queries of the team statement: how each resource reached the team (fct_resource_attribution)
and, when the savings mart is published, the team's savings opportunities."""

from __future__ import annotations

from typing import Any

from app.cockpit.queries import Marts

SAVINGS_MARTS = ("fct_savings_opportunities", "fct_savings_recommendations")


def resource_attribution(
    m: Marts, team_id: str, limit: int = 500
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The team's resources over the last 30 days of data, largest first, with the attribution
    method and the evidence it used (tag / service catalog / account / rule)."""
    return m.columns(
        """select resource_id, resource_name, provider, sub_account_id, service_name,
                  attribution_method, attribution_evidence, billing_currency as currency, effective_cost as cost
           from read_parquet($fct_resource_attribution)
           where team_id = $team order by effective_cost desc limit $limit""",
        {"team": team_id, "limit": limit},
        marts=("fct_resource_attribution",),
    )


def attribution_mix(m: Marts, team_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The team's cost of the last 30 days per attribution method."""
    return m.columns(
        """select attribution_method, billing_currency as currency, sum(effective_cost) as cost
           from read_parquet($fct_resource_attribution) where team_id = $team
           group by all order by cost desc""",
        {"team": team_id},
        marts=("fct_resource_attribution",),
    )


def savings_mart(m: Marts) -> str | None:
    return next((s for s in SAVINGS_MARTS if m.has(s)), None)


def team_savings(
    m: Marts, team_id: str, limit: int = 100
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The savings mart's rows for the team (whatever columns it has), when it is published."""
    mart = savings_mart(m)
    if mart is None:
        return [], []
    cols, _ = m.columns(f"select * from read_parquet(${mart}) limit 0", marts=(mart,))  # noqa: S608 - mart from SAVINGS_MARTS
    if "team_id" not in cols:
        return cols, []
    # mart is one of SAVINGS_MARTS (a constant); the team is bound
    return m.columns(
        f"select * from read_parquet(${mart}) where team_id = $team limit $limit",  # noqa: S608
        {"team": team_id, "limit": limit},
        marts=(mart,),
    )
