"""Queries of the Commitments and Savings pages (and the savings totals of the overview and the
team statement), through ``Marts`` so the signed-in user's team scope is part of every query.

Who sees what (the same rule as the other pages, queries.TEAM_SCOPE):
- ``fct_savings_opportunities`` has a ``team_id``: an engineering user reads its own teams' rows
  only, whatever filter the page offers.
- The commitment marts (coverage, utilization, inventory, ESR, KPI targets, purchase
  recommendations) are organization-level money with no team: like reconciliation and the ingest
  control totals, a team-scoped user gets no rows from them (TEAM_SCOPE has no entry, so the scope
  predicate is ``false``). Finance, executive and admin read them whole.

The status log (models_ml.savings.inbox) is laid over the mart, so a decision made since the last
weekly run counts at once. Money is Decimal here; the pages format it with ``present``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.cockpit.queries import Marts

OPPORTUNITIES = "fct_savings_opportunities"
ORG_MARTS = (
    "fct_rate_optimization_daily",
    "fct_commitment_daily",
    "fct_commitments",
    "fct_savings_kpis",
    "fct_purchase_recommendations",
    "fct_purchase_savings_curve",
)
STATUSES = ("open", "accepted", "dismissed", "done")
CURRENCY = "USD"  # the savings estimates are priced from the offline USD list-price catalog
CATEGORIES = ("Compute", "Databases")


def _dicts(cols: list[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(cols, r, strict=True)) for r in rows]


def opportunities(m: Marts, lake_root: str | None = None) -> list[dict[str, Any]]:
    """Every opportunity the user may read, largest saving first, with its current status from
    the status log (``lake_root`` None: the mart's statuses only)."""
    cols, rows = m.columns(
        "select * from read_parquet($fct_savings_opportunities) order by monthly_savings desc, opportunity_id",
        marts=(OPPORTUNITIES,),
    )
    out = _dicts(cols, rows)
    if lake_root is None:
        return out
    from models_ml.savings.inbox import current_statuses

    latest = current_statuses(lake_root)
    for r in out:
        s = latest.get(r["opportunity_id"])
        if s:
            r["status"], r["status_changed_by"], r["status_note"] = (
                s["status"],
                s["changed_by"],
                s["note"],
            )
            r["status_changed_at"] = s.get("changed_at")
    return out


def totals(rows: list[dict[str, Any]]) -> dict[str, Decimal]:
    """USD per month by status (open = available, accepted, dismissed, done = estimated) and
    ``realised`` (measured after "done"), summed as Decimal over ``rows``."""
    out = {k: Decimal(0) for k in STATUSES}
    for r in rows:
        out[r["status"]] = out.get(r["status"], Decimal(0)) + Decimal(str(r["monthly_savings"]))
    out["realised"] = sum(
        (
            Decimal(str(r["realised_monthly_savings"]))
            for r in rows
            if r.get("realised_monthly_savings") is not None
        ),
        Decimal(0),
    )
    return out


def team_savings(m: Marts, team_id: str, lake_root: str | None = None) -> list[dict[str, Any]]:
    """One team's opportunities (the user's scope still applies: another team's id returns [])."""
    return [r for r in opportunities(m, lake_root) if r["team_id"] == team_id]


def org_level_visible(m: Marts) -> bool:
    """Whether the user may read organization-level commitment data (not team-scoped)."""
    return not m.scoped()


def rate_kpis_30d(m: Marts) -> list[dict[str, Any]]:
    """Per provider, currency and service category over the last 30 days of data: coverage (0-1),
    unused commitment, savings and both effective savings rate definitions."""
    cols, rows = m.columns(
        """with r as (select * from read_parquet($fct_rate_optimization_daily)),
                last as (select max(charge_date) as d from r)
           select provider, billing_currency, service_category,
                  sum(covered_cost) as covered_cost, sum(eligible_cost) as eligible_cost,
                  case when sum(eligible_cost) <> 0 then sum(covered_cost) / sum(eligible_cost) end as coverage,
                  sum(unused_commitment_cost) as unused_commitment_cost,
                  sum(total_savings) as total_savings,
                  case when sum(list_cost) <> 0 then sum(list_cost - effective_cost) / sum(list_cost) end as esr_list_basis,
                  case when sum(contracted_cost) <> 0
                       then sum(contracted_cost - effective_cost) / sum(contracted_cost) end as esr_contracted_basis
           from r, last where r.charge_date > last.d - interval 30 day
           group by all having sum(eligible_cost) <> 0 or sum(unused_commitment_cost) <> 0
           order by provider, service_category""",
        marts=("fct_rate_optimization_daily",),
    )
    return _dicts(cols, rows)


def coverage_daily(m: Marts) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Daily coverage (%) of compute and databases per provider."""
    return m.columns(
        """select charge_date, provider || ' ' || service_category as series, coverage * 100 as coverage_pct
           from read_parquet($fct_rate_optimization_daily)
           where service_category in ('Compute', 'Databases') and coverage is not null
           order by charge_date""",
        marts=("fct_rate_optimization_daily",),
    )


def utilization_daily(m: Marts) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Daily utilization (%) and unused commitment per provider and commitment type."""
    return m.columns(
        """select charge_date, provider || ' ' || coalesce(commitment_discount_type, '') as series,
                  sum(used_commitment_cost) * 100 / nullif(sum(committed_cost), 0) as utilization_pct,
                  sum(unused_commitment_cost) as unused_commitment_cost
           from read_parquet($fct_commitment_daily) where utilization is not null
           group by all order by charge_date""",
        marts=("fct_commitment_daily",),
    )


def savings_kpis(m: Marts) -> tuple[list[str], list[tuple[Any, ...]]]:
    return m.columns(
        "select * from read_parquet($fct_savings_kpis) order by billing_month desc, kpi_id",
        marts=("fct_savings_kpis",),
    )


def commitment_inventory(m: Marts) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every commitment with its expiry, utilization (%) and unused cost, soonest expiry first."""
    return m.columns(
        """select provider, commitment_discount_id, commitment_discount_type, scope, first_seen_date,
                  last_seen_date, expires_at, term_days, utilization * 100 as utilization_pct,
                  unused_commitment_cost, commitment_savings
           from read_parquet($fct_commitments) order by expires_at nulls last, provider, commitment_discount_id""",
        marts=("fct_commitments",),
    )


def purchase_recommendations(m: Marts) -> list[dict[str, Any]]:
    cols, rows = m.columns(
        "select * from read_parquet($fct_purchase_recommendations) order by monthly_savings desc",
        marts=("fct_purchase_recommendations",),
    )
    return _dicts(cols, rows)


def savings_curve(m: Marts, recommendation_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    return m.columns(
        """select monthly_commitment, monthly_savings, is_recommended
           from read_parquet($fct_purchase_savings_curve)
           where recommendation_id = $rid order by level_per_period""",
        {"rid": recommendation_id},
        marts=("fct_purchase_savings_curve",),
    )
