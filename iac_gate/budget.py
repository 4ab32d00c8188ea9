"""A team's remaining monthly budget, read from the warehouse's budget mart when it exists.

The budget mart (`fct_budget_status`, published as `<marts_dir>/fct_budget_status.parquet`) has
at least: `scope_type`, `scope_value`, `budget_amount`, `actual_cost_to_date`, `period`
and `as_of_date` (one row per scope and day; the latest day is used). When the file is missing
the `team_budget` policy is skipped with a notice, never failed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

REQUIRED = (
    "scope_type",
    "scope_value",
    "budget_amount",
    "actual_cost_to_date",
    "period",
    "as_of_date",
)


@dataclass(frozen=True)
class BudgetStatus:
    team: str
    amount: Decimal
    spent: Decimal
    period: str
    as_of: str

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent


class TeamBudgets:
    def __init__(self, mart_path: str | Path | None = None) -> None:
        if mart_path is None:
            data_dir = Path(os.environ.get("SIBYL_DATA_DIR", "data"))
            marts = Path(os.environ.get("SIBYL_MARTS_DIR", str(data_dir / "marts")))
            mart_path = marts / "fct_budget_status.parquet"
        self.path = Path(mart_path)
        self.notice = ""
        self._rows: dict[str, BudgetStatus] | None = None
        self._loaded = False

    @property
    def available(self) -> bool:
        """Whether the mart exists and has the columns the policy needs (`notice` says why not)."""
        if not self._loaded:
            self._rows = self._load()
            self._loaded = True
        return self._rows is not None

    def _load(self) -> dict[str, BudgetStatus] | None:
        if not self.path.exists():
            self.notice = (
                f"team budget policy skipped: no budget mart at {self.path} "
                "(built by the budgets pipeline)"
            )
            return None
        import duckdb  # only when a team budget policy runs against an existing mart

        con = duckdb.connect()
        try:
            cols = {
                r[0]
                for r in con.execute(
                    "describe select * from read_parquet(?)", [str(self.path)]
                ).fetchall()
            }
            missing = [c for c in REQUIRED if c not in cols]
            if missing:
                self.notice = (
                    f"team budget policy skipped: {self.path} lacks columns {', '.join(missing)}"
                )
                return None
            rows = con.execute(
                """
                select scope_value, budget_amount::varchar, actual_cost_to_date::varchar, period,
                       as_of_date::varchar
                from read_parquet(?)
                where scope_type = 'team' and period = 'monthly'
                qualify row_number() over (partition by scope_value order by as_of_date desc) = 1
                """,
                [str(self.path)],
            ).fetchall()
        finally:
            con.close()
        return {r[0]: BudgetStatus(r[0], Decimal(r[1]), Decimal(r[2]), r[3], r[4]) for r in rows}

    def for_team(self, team: str) -> BudgetStatus | None:
        return (self._rows or {}).get(team) if self.available else None
