"""The allocation lines of `sibyl summary`: the latest month's cost reaching teams directly vs
through shared-cost allocation rules (fct_allocated_costs_monthly)."""

from __future__ import annotations

from decimal import Decimal

from app.cockpit.queries import Marts


def allocation_lines(marts_dir: str) -> list[str]:
    m = Marts(marts_dir)
    if not m.has("fct_allocated_costs_monthly"):
        return []
    rows = m.query(
        """with d as (select * from read_parquet($fct_allocated_costs_monthly)),
                last as (select max(billing_period) as p from d)
           select strftime(d.billing_period, '%Y-%m'), d.billing_currency,
                  case when d.attribution_method = 'allocation_rule' then d.allocation_rule_id else '' end,
                  sum(d.billed_cost)
           from d, last where d.billing_period = last.p group by all order by 2, 3""",
        marts=("fct_allocated_costs_monthly",),
    )
    if not rows:
        return []
    out = ["", f"Shared-cost allocation, {rows[0][0]} (billed cost; docs/allocation.md)"]
    for cur in sorted({r[1] for r in rows}):
        mine = [r for r in rows if r[1] == cur]
        total = sum((Decimal(r[3]) for r in mine), Decimal(0))
        direct = sum((Decimal(r[3]) for r in mine if not r[2]), Decimal(0))
        out.append(
            f"  directly attributed {direct:>14,.2f} {cur}   allocated by rules {total - direct:>12,.2f} {cur}"
        )
        out += [f"    {r[2]:24} {Decimal(r[3]):>14,.2f} {cur}" for r in mine if r[2]]
    return out
