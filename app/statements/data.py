"""What a monthly chargeback statement says, read from the published marts (bound parameters).

One statement per team and per business unit for a billing month (YYYY-MM), in billed cost, per
currency: totals by provider and service, shared costs received through allocation rules, credits
and taxes, budget vs actual, month over month, and the reconciliation line (the sum of every
team's statement equals the invoiced total of the raw exports in fct_reconciliation).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from app.cockpit.queries import Marts

ALLOCATED = "fct_allocated_costs_monthly"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CENT = Decimal("0.01")


class StatementError(ValueError):
    pass


@dataclass
class Statement:
    kind: str  # "team" or "business_unit"
    key: str  # team_id or business_unit_id
    month: str
    currency: str
    total: Decimal
    previous_total: Decimal
    by_service: list[tuple[str, str, Decimal]]  # provider, service, direct billed cost
    allocated: list[tuple[str, str, Decimal]]  # rule id, method, billed cost received
    credits: Decimal
    taxes: Decimal
    budget: tuple[str, Decimal, Decimal] | None  # budget id, amount, actual to date
    invoice_total: Decimal  # every team's billed cost for the month, this currency
    raw_invoice_total: Decimal  # the raw exports' billed total (fct_reconciliation)
    teams: list[tuple[str, Decimal]] = field(default_factory=list)  # a business unit's teams

    @property
    def direct(self) -> Decimal:
        return sum((c for _, _, c in self.by_service), Decimal(0))

    @property
    def allocated_total(self) -> Decimal:
        return sum((c for _, _, c in self.allocated), Decimal(0))

    @property
    def change(self) -> Decimal:
        return self.total - self.previous_total

    @property
    def slug(self) -> str:
        prefix = "team" if self.kind == "team" else "bu"
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self.key)[:64]
        return f"{prefix}-{safe}-{self.currency}"


def check_month(month: str) -> str:
    if not _MONTH.match(month):
        raise StatementError(f"month is YYYY-MM, not {month[:20]!r}")
    return month


def previous(month: str) -> str:
    d = dt.date.fromisoformat(f"{month}-01") - dt.timedelta(days=1)
    return f"{d:%Y-%m}"


def statements(m: Marts, month: str, team: str | None = None) -> list[Statement]:
    """Every team's and business unit's statement for ``month`` (only ``team``'s, and its
    business unit's, when given)."""
    check_month(month)
    rows = m.query(
        """select team_id, business_unit_id, billing_currency, provider, service_name, charge_category,
                  attribution_method, allocation_rule_id, allocated_method_id, billed_cost,
                  strftime(billing_period, '%Y-%m') as month
           from read_parquet($fct_allocated_costs_monthly)
           where strftime(billing_period, '%Y-%m') in ($month, $previous)""",
        {"month": month, "previous": previous(month)},
        marts=(ALLOCATED,),
    )
    if not any(r[10] == month for r in rows):
        raise StatementError(f"no charges for {month} in the published marts")
    raw = _raw_totals(m, month)
    budgets = _budgets(m, month)
    out: list[Statement] = []
    for kind, idx in (("team", 0), ("business_unit", 1)):
        keys = sorted({(r[idx], r[2]) for r in rows if r[10] == month})
        if team is not None:
            bu = {r[1] for r in rows if r[0] == team}
            keys = [k for k in keys if (k[0] == team if kind == "team" else k[0] in bu)]
        for key, cur in keys:
            mine = [r for r in rows if r[idx] == key and r[2] == cur]
            now = [r for r in mine if r[10] == month]
            services: dict[tuple[str, str], Decimal] = {}
            rules: dict[tuple[str, str], Decimal] = {}
            for r in now:
                if r[6] == "allocation_rule":
                    rules[(r[7], r[8])] = rules.get((r[7], r[8]), Decimal(0)) + r[9]
                else:
                    services[(r[3], r[4])] = services.get((r[3], r[4]), Decimal(0)) + r[9]
            teams: dict[str, Decimal] = {}
            if kind == "business_unit":
                for r in now:
                    teams[r[0]] = teams.get(r[0], Decimal(0)) + r[9]
            out.append(
                Statement(
                    kind=kind,
                    key=key,
                    month=month,
                    currency=cur,
                    total=sum((r[9] for r in now), Decimal(0)),
                    previous_total=sum((r[9] for r in mine if r[10] != month), Decimal(0)),
                    by_service=sorted(
                        ((p, s, c) for (p, s), c in services.items()), key=lambda x: -x[2]
                    ),
                    allocated=sorted(
                        ((a, b, c) for (a, b), c in rules.items()), key=lambda x: -x[2]
                    ),
                    credits=sum((r[9] for r in now if r[5] == "Credit"), Decimal(0)),
                    taxes=sum((r[9] for r in now if r[5] == "Tax"), Decimal(0)),
                    budget=budgets.get(f"{kind}:{key}"),
                    invoice_total=sum(
                        (r[9] for r in rows if r[10] == month and r[2] == cur), Decimal(0)
                    ),
                    raw_invoice_total=raw.get(cur, Decimal(0)),
                    teams=sorted(teams.items(), key=lambda x: -x[1]),
                )
            )
    return out


def _raw_totals(m: Marts, month: str) -> dict[str, Decimal]:
    if not m.has("fct_reconciliation"):
        return {}
    rows = m.query(
        """select billing_currency, sum(raw_billed_cost) from read_parquet($fct_reconciliation)
           where billing_period = $month group by 1""",
        {"month": month},
        marts=("fct_reconciliation",),
    )
    return {str(c): Decimal(v) for c, v in rows}


def _budgets(m: Marts, month: str) -> dict[str, tuple[str, Decimal, Decimal]]:
    """scope -> (budget id, amount, actual to date) of the month's monthly budgets, last as-of."""
    if not m.has("fct_budget_status"):
        return {}
    rows = m.query(
        """select scope, budget_id, budget_amount, actual_cost_to_date from read_parquet($fct_budget_status)
           where period = 'monthly' and strftime(period_start, '%Y-%m') = $month
           qualify row_number() over (partition by budget_id order by as_of_date desc) = 1""",
        {"month": month},
        marts=("fct_budget_status",),
    )
    return {str(s): (str(b), Decimal(a), Decimal(c)) for s, b, a, c in rows}
