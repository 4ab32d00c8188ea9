"""Queries of the team statement: how each resource reached the team (fct_resource_attribution)
and, when the savings mart is published, the team's savings opportunities."""

from __future__ import annotations

from typing import Any

from app.cockpit.queries import Marts

SAVINGS_MART = "fct_savings_opportunities"
STATEMENT_COLUMNS = (
    "kind",
    "title",
    "resource_id",
    "monthly_savings",
    "realised_monthly_savings",
    "confidence",
    "status",
    "status_changed_by",
)


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
    """The savings inbox mart when it is published (issue 13's ``fct_savings_opportunities``)."""
    return SAVINGS_MART if m.has(SAVINGS_MART) else None


def team_savings(
    m: Marts, team_id: str, lake_root: str | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The team's savings opportunities (status from the log when ``lake_root`` is given), largest
    first, in the columns the statement shows; the user's team scope still applies."""
    from app.cockpit.savings_queries import team_savings as rows_of

    rows = rows_of(m, team_id, lake_root)
    return list(STATEMENT_COLUMNS), [tuple(r.get(c) for c in STATEMENT_COLUMNS) for r in rows]
