"""Savings facts from the published marts, for the demo summary, the CLI and the cockpit pages.

Every query binds the mart path as a parameter; the marts are the Parquet copies under
``marts_dir`` (never the warehouse a run may be writing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ingest import duckdb_fs
from ingest import fs as lakefs
from orchestration.settings import Settings


def _path(marts_dir: str, mart: str) -> str | None:
    """The mart's file under a local folder or a bucket URL, or None when unpublished."""
    p = lakefs.join(marts_dir, f"{mart}.parquet")
    return p if lakefs.exists(p) else None


def query(
    marts_dir: str, mart: str, sql: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Rows of ``sql`` where ``m`` is the mart (``from read_parquet($p) m``); [] when unpublished."""
    path = _path(marts_dir, mart)
    if path is None:
        return []
    con = duckdb_fs.connect(marts_dir)
    try:
        rel = con.execute(sql, {"p": path, **(params or {})})
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.close()


def rate_kpis_30d(marts_dir: str) -> list[dict[str, Any]]:
    """Per provider, currency and service category over the last 30 days of data: coverage,
    on-demand share, unused commitment, savings and both ESR definitions."""
    return query(
        marts_dir,
        "fct_rate_optimization_daily",
        """with m as (select * from read_parquet($p)),
               last as (select max(charge_date) as d from m)
           select provider, billing_currency, service_category,
                  sum(covered_cost) as covered_cost, sum(eligible_cost) as eligible_cost,
                  case when sum(eligible_cost) <> 0 then sum(covered_cost) / sum(eligible_cost) end as coverage,
                  sum(unused_commitment_cost) as unused_commitment_cost,
                  sum(negotiated_savings) as negotiated_savings, sum(commitment_savings) as commitment_savings,
                  sum(total_savings) as total_savings,
                  case when sum(list_cost) <> 0 then sum(list_cost - effective_cost) / sum(list_cost) end as esr_list_basis,
                  case when sum(contracted_cost) <> 0 then sum(contracted_cost - effective_cost) / sum(contracted_cost) end
                      as esr_contracted_basis
           from m, last where m.charge_date > last.d - interval 30 day
           group by all having sum(eligible_cost) <> 0 or sum(unused_commitment_cost) <> 0
           order by provider, service_category""",
    )


def commitments(marts_dir: str) -> list[dict[str, Any]]:
    return query(
        marts_dir,
        "fct_commitments",
        "select * from read_parquet($p) order by provider, commitment_discount_id",
    )


def commitment_utilization_30d(marts_dir: str) -> list[dict[str, Any]]:
    return query(
        marts_dir,
        "fct_commitment_daily",
        """with m as (select * from read_parquet($p)), last as (select max(charge_date) as d from m)
           select provider, billing_currency, sum(used_commitment_cost) as used, sum(unused_commitment_cost) as unused,
                  case when sum(committed_cost) <> 0 then sum(used_commitment_cost) / sum(committed_cost) end as utilization
           from m, last where m.charge_date > last.d - interval 30 day group by all order by provider""",
    )


def savings_summary_lines(s: Settings, top: int = 5) -> list[str]:
    """Coverage, utilization, ESR, and the top opportunities: what `sibyl demo` prints."""
    rates = rate_kpis_30d(s.marts_dir)
    if not rates:
        return []
    out = [
        "",
        "Commitments, last 30 days (coverage = covered / eligible on-demand-equivalent cost)",
    ]
    for r in rates:
        if r["service_category"] not in ("Compute", "Databases"):
            continue
        cov = "n/a" if r["coverage"] is None else f"{float(r['coverage']):6.1%}"
        out.append(
            f"  {r['provider']:6} {r['service_category']:10} coverage {cov}   unused {float(r['unused_commitment_cost']):>10,.2f} "
            f"{r['billing_currency']}   savings {float(r['total_savings']):>10,.2f}"
        )
    for u in commitment_utilization_30d(s.marts_dir):
        util = "n/a" if u["utilization"] is None else f"{float(u['utilization']):.1%}"
        out.append(
            f"  {u['provider']:6} utilization {util} ({float(u['used']):,.2f} used, {float(u['unused']):,.2f} unused {u['billing_currency']})"
        )
    esr_rows = query(
        s.marts_dir,
        "fct_rate_optimization_daily",
        """with m as (select * from read_parquet($p)), last as (select max(charge_date) as d from m)
           select provider, billing_currency,
                  case when sum(list_cost) <> 0 then sum(list_cost - effective_cost) / sum(list_cost) end as a,
                  case when sum(contracted_cost) <> 0 then sum(contracted_cost - effective_cost) / sum(contracted_cost) end as b
           from m, last where m.charge_date > last.d - interval 30 day group by all order by provider""",
    )
    for r in esr_rows:
        out.append(
            f"  {r['provider']:6} effective savings rate {float(r['a'] or 0):.1%} (list basis, FinOps toolkit) / "
            f"{float(r['b'] or 0):.1%} (contracted basis, FinOps Foundation)"
        )
    opps = opportunities(s)
    if opps:
        open_ = [o for o in opps if o["status"] == "open"]
        total = sum((Decimal(str(o["monthly_savings"])) for o in open_), Decimal(0))
        done = sum(
            (Decimal(str(o["monthly_savings"])) for o in opps if o["status"] == "done"), Decimal(0)
        )
        out += [
            "",
            f"Savings opportunities: {len(open_)} open, {float(total):,.2f} USD/month available, {float(done):,.2f} done (`sibyl savings list`)",
        ]
        for o in open_[:top]:
            out.append(
                f"  {o['opportunity_id']}  {str(o['team_id'])[:16]:16} {o['kind']:10} {float(o['monthly_savings']):>9,.2f}/mo  {str(o['title'])[:60]}"
            )
    recs = query(
        s.marts_dir,
        "fct_purchase_recommendations",
        "select * from read_parquet($p) order by monthly_savings desc",
    )
    for r in recs:
        if r.get("commitment_kind") == "reservation":
            out.append(
                f"  reserve: {r['instance_count']} x {r['instance_type']} in {r['region_id']} -> saves "
                f"{float(r['monthly_savings']):,.2f}/month ({r['term']}, {r['payment_option']})"
            )
            continue
        out.append(
            f"  buy: {r['provider']} {r['service_category']} commitment {float(r['monthly_commitment']):,.2f}/month "
            f"-> saves {float(r['monthly_savings']):,.2f}/month ({r['term']}, {r['payment_option']}, {'hourly' if r['granularity'] == 'hour' else 'daily'} simulation)"
        )
    return out


def opportunities(s: Settings) -> list[dict[str, Any]]:
    """The published inbox with the status log laid over it (empty when not published)."""
    from app.savings_cli import MartMissingError, opportunity_rows

    try:
        return opportunity_rows(s)
    except MartMissingError:
        return []


def savings_totals(s: Settings) -> dict[str, Decimal] | None:
    """USD per month: open (available), accepted, dismissed, done (estimated) and realised
    (measured after "done"); None when not produced."""
    rows = opportunities(s)
    if not rows:
        return None
    out = {k: Decimal(0) for k in ("open", "accepted", "dismissed", "done")}
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
