"""Text summary of the published marts (what `make demo` prints). Reads the Parquet marts only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.cockpit.queries import Marts, allocated_share, allocation_30d, tag_compliance_30d
from orchestration.settings import Settings


def _money(v: Decimal | float | None, currency: str = "USD") -> str:
    return f"{float(v or 0):>14,.2f} {currency}"


def _pct(v: float | None) -> str:
    return "    n/a" if v is None else f"{v:+6.1f}%"


@dataclass(frozen=True)
class SummaryFacts:
    last3: list[tuple[Any, ...]]  # (period, provider, currency, billed, effective)
    top: list[tuple[Any, ...]]  # (team, business unit, currency, 30d, 30d %, MoM %, as of)
    allocation: list[tuple[str, Any, float]]  # (method, cost, share %)
    allocated_pct: float
    compliance_pct: float | None
    untagged: tuple[int, Any]  # (resources, cost last 30 days)
    reconciliation: tuple[int, int, Any, Any, Any]  # (partitions, ok, raw, marts, max diff)


def summary_facts(marts_dir: str) -> SummaryFacts:
    """The numbers of the summary, from the published Parquet marts (unit-testable)."""
    marts = Marts(marts_dir)  # mart paths are bound parameters ($name), never SQL text
    last3 = marts.query(
        """with d as (select * from read_parquet($fct_daily_costs)),
                 p as (select distinct billing_period from d order by 1 desc limit 3)
            select strftime(d.billing_period, '%Y-%m') as period, d.provider, d.billing_currency,
                   sum(d.billed_cost) as billed, sum(d.effective_cost) as effective
            from d join p using (billing_period)
            group by all order by 1, 2, 3""",
        marts=("fct_daily_costs",),
    )
    top = marts.query(
        """select team_id, business_unit_name, billing_currency, cost_last_30d, change_30d_pct,
                  mom_change_pct, as_of_date
           from read_parquet($fct_cost_by_team_30d) where billing_currency = 'USD'
           order by cost_last_30d desc limit 10""",
        marts=("fct_cost_by_team_30d",),
    )
    untagged = marts.query(
        """select count(*), sum(cost_last_30d) from read_parquet($fct_untagged_resources)
           where cost_last_30d <> 0""",
        marts=("fct_untagged_resources",),
    )[0]
    recon = marts.query(
        """select count(*), count(*) filter (where is_reconciled), sum(raw_billed_cost),
                  sum(focus_billed_cost), max(abs(difference))
           from read_parquet($fct_reconciliation)""",
        marts=("fct_reconciliation",),
    )[0]
    # the cockpit's KPI queries: one definition of allocated and compliant
    alloc = allocation_30d(marts)
    total_alloc = float(sum((v or 0) for _, v in alloc)) or 1.0
    return SummaryFacts(
        last3=last3,
        top=top,
        allocation=[(m, v, float(v or 0) * 100 / total_alloc) for m, v in alloc],
        allocated_pct=allocated_share(alloc) or 0.0,
        compliance_pct=tag_compliance_30d(marts),
        untagged=(int(untagged[0]), untagged[1]) if untagged else (0, 0),
        reconciliation=tuple(recon) if recon else (0, 0, 0, 0, 0),  # type: ignore[arg-type]
    )


def ml_summary_lines(s: Settings, top: int = 8) -> list[str]:
    """Open anomalies, budgets at risk and breaker states, from the ML marts (when produced)."""
    out: list[str] = []
    m = Marts(s.marts_dir)
    if m.has("fct_cost_anomalies"):  # the cockpit's inbox, with status changes since the last run
        from app.cockpit.queries import anomaly_inbox, anomaly_kpis
        from models_ml.status import current_statuses

        cols, rows = anomaly_inbox(m, ("open",), fresh_status=current_statuses(s.lake_root))
        k = anomaly_kpis(rows, cols)
        out += [
            "",
            f"Open cost anomalies: {k['open']} events, {float(k['open_impact']):,.2f} above expected "
            "(latest first; `sibyl anomalies list`)",
        ]
        for r in (dict(zip(cols, row, strict=True)) for row in rows[:top]):
            out.append(
                f"  {r['start_date']}..{r['end_date']}  {r['scope_type'] + ':' + r['scope_value']:36.36} "
                f"+{float(r['cost_impact']):>10,.2f} {r['billing_currency']}  conf {r['confidence']:.2f}  "
                f"{r['root_cause_path'] or ''}"
            )
    if m.has("fct_budget_status"):
        from app.budget_cli import latest_budget_rows

        budgets = latest_budget_rows(s)
        risky = [
            r
            for r in budgets
            if r["alert_level"] in ("orange", "red") or r["breaker_state"] != "closed"
        ]
        out += [
            "",
            f"Budgets at risk ({len(risky)} of {len(budgets)}, as of {budgets[0]['as_of_date'] if budgets else 'n/a'}; "
            "`sibyl budget status`)",
        ]
        for r in risky:
            out.append(
                f"  {r['scope'][:34]:34} {r['period']:9} {r['pct_used']:6.1f}% used, projected {r['projected_pct']:6.1f}%"
                f"  {r['alert_level']:6}  breaker {r['breaker_state']}"
            )
        states: dict[str, int] = {}
        for r in budgets:
            states[r["breaker_state"]] = states.get(r["breaker_state"], 0) + 1
        out.append("Circuit breakers: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    return out


def render_summary(s: Settings) -> str:
    if not Marts(s.marts_dir).has("fct_daily_costs"):
        return (
            f"No published marts in {s.marts_dir} yet: run `make demo` (or materialize the assets)."
        )
    f = summary_facts(s.marts_dir)
    out = [
        "",
        "Cost per provider, last three billing periods (billed = invoice, effective = amortized)",
    ]
    for period, provider, cur, billed, eff in f.last3:
        out.append(
            f"  {period}  {provider:6} billed {_money(billed, cur)}   effective {_money(eff, cur)}"
        )
    top = f.top
    as_of = top[0][6] if top else "n/a"
    out += [
        "",
        f"Top 10 teams, last 30 days to {as_of} (effective cost, USD)",
        "  team                  business unit            last 30d      vs prev 30d   MoM (MTD)",
    ]
    for team, bu, cur, cost, ch30, mom, _ in top:
        out.append(
            f"  {team:21} {str(bu or '-'):22} {_money(cost, cur)}   {_pct(ch30)}      {_pct(mom)}"
        )
    out += ["", f"Allocation (last 30 days): {f.allocated_pct:.1f}% of cost has a team"]
    for method, value, pct in f.allocation:
        out.append(f"  {method:16} {_money(value)} {pct:6.1f}%")
    comp = f.compliance_pct
    out.append(
        f"Tag compliance (last 30 days, share of taggable cost with all required tags): "
        f"{'n/a' if comp is None else f'{comp:.1f}%'}"
    )
    n_untagged, untagged_cost = f.untagged
    out.append(
        f"Untagged or partly tagged resources: {n_untagged}, {_money(untagged_cost).strip()} in the last 30 days"
    )
    n, ok, raw, focus, worst = f.reconciliation
    status = "OK" if n and n == ok else "MISMATCH"
    out.append(
        f"Reconciliation: {status} — {ok}/{n} provider x period x currency partitions match the raw "
        f"exports to the cent (raw {float(raw or 0):,.2f}, marts {float(focus or 0):,.2f}, max diff {float(worst or 0):.10f})"
    )
    from app.statements.summary import allocation_lines

    out += allocation_lines(s.marts_dir)
    out += ml_summary_lines(s)
    from app.savings_summary import savings_summary_lines

    out += savings_summary_lines(s)
    out += [
        "",
        "Where things are:",
        f"  landing exports   {s.landing_root}",
        f"  Parquet lake      {s.lake_root}  (raw/, quarantine/, _control/, _state/)",
        f"  DuckDB warehouse  {s.warehouse_path}  (schemas staging, intermediate, marts, config)",
        f"  published marts   {s.marts_dir}/*.parquet  (read these while pipelines run)",
        "",
        "Next: `make ui` opens the cockpit on http://127.0.0.1:8501 (sign in as a user above: overview, explorer,",
        "      teams, tagging, anomalies, forecast & budgets, IaC checks, data health, commitments, savings,",
        "      AI spend, admin); `sibyl budget status` / `sibyl anomalies list` / `sibyl savings list` in a",
        "      terminal; `sibyl mcp` serves the marts to agents (docs/mcp.md);",
        "      `make dagster` opens the Dagster UI on http://127.0.0.1:3000 (lineage, runs, checks);",
        "      query the marts: .venv/bin/python -c \"import duckdb; print(duckdb.sql('from \\'data/marts/fct_cost_by_team_30d.parquet\\''))\"",
    ]
    return "\n".join(out)
