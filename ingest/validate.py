"""File validation with great-expectations, executed as SQL inside DuckDB.

GE's SQL execution engine talks to DuckDB through duckdb-engine. DuckDB keeps one pending
result per connection and the stock engine rolls the connection back when GE returns it to the
pool, which discards results GE has not fetched yet. The validator therefore hands GE a
connection (a cursor on the ingest run's own in-memory database, so it sees the views built over
each staged file) whose transaction calls are no-ops: validation only reads.

Expectations per file: at least one row; every required column present; billing period
parseable; cost present and numeric; charge date parseable and inside the billing period.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from ingest.variants import MONEY, Variant, q

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One reason a file is rejected: which column, what is wrong, how often, examples."""

    column: str | None
    problem: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"column '{self.column}': " if self.column else ""
        eg = f" (e.g. {', '.join(self.examples)})" if self.examples else ""
        n = f"{self.count} row(s) " if self.count else ""
        return f"{where}{n}{self.problem}{eg}"


class FileValidator:
    """One great-expectations context for a whole ingest run, reading the run's DuckDB views."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import duckdb_engine
            import great_expectations as gx
            from sqlalchemy.pool import StaticPool
        self._gx = gx
        self._con = con

        class _ReadOnlyConnection(duckdb_engine.ConnectionWrapper):  # type: ignore[misc]
            def begin(self) -> None:  # validation only reads: no transactions
                pass

            def rollback(self) -> None:
                pass

            def commit(self) -> None:
                pass

        def creator() -> Any:
            return _ReadOnlyConnection(con.cursor())

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        self._ctx = gx.get_context(mode="ephemeral")
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        # `kwargs` (SQLAlchemy engine arguments) is accepted at runtime; the stub omits it
        self._ds = self._ctx.data_sources.add_sql(  # type: ignore[call-arg]
            name="sibyl_ingest",
            connection_string="duckdb:///:memory:",
            kwargs={"creator": creator, "poolclass": StaticPool},
        )
        self._n = 0

    def _run(self, table: str, expectations: list[Any]) -> list[Any]:
        gx = self._gx
        self._n += 1
        asset = self._ds.add_table_asset(name=f"a{self._n}_{table}", table_name=table)
        batch = asset.add_batch_definition_whole_table(f"b{self._n}")
        suite = self._ctx.suites.add(
            gx.ExpectationSuite(name=f"s{self._n}", expectations=expectations)
        )
        vd = self._ctx.validation_definitions.add(
            gx.ValidationDefinition(name=f"v{self._n}", data=batch, suite=suite)
        )
        result = vd.run(result_format={"result_format": "SUMMARY"})
        return list(result.results)

    def validate(self, raw_view: str, variant: Variant) -> list[Problem]:
        """Problems of the file behind ``raw_view`` (empty list: the file is good)."""
        import great_expectations.expectations as gxe

        structural = [gxe.ExpectTableRowCountToBeBetween(min_value=1)] + [
            gxe.ExpectColumnToExist(column=c) for c in variant.required
        ]
        problems: list[Problem] = []
        for res in self._run(raw_view, structural):
            _raise_if_errored(res)
            if res.success:
                continue
            kind = res.expectation_config.type
            if kind == "expect_table_row_count_to_be_between":
                problems.append(
                    Problem(None, "empty export: the file has a header but no data rows")
                )
            else:
                col = res.expectation_config.kwargs["column"]
                problems.append(
                    Problem(col, f"required column is missing for {variant.description}")
                )
        if problems:
            return problems

        chk = f"{raw_view}_chk"
        lo, hi = variant.period_window
        # internal view names and the variant's constant SQL expressions only: no file values
        self._con.execute(
            f"""
            create or replace view {chk} as
            with src as (
                select
                    ({variant.period_sql}) as billing_period,
                    cast({variant.cost_sql} as varchar) as cost_raw,
                    ({variant.charge_start_sql}) as charge_start
                from {raw_view}
            )
            select
                billing_period,
                cost_raw,
                (cost_raw is null or try_cast(cost_raw as {MONEY}) is not null) as cost_is_number,
                charge_start,
                coalesce(
                    charge_start >= billing_period - {lo}
                    and charge_start < billing_period + interval 1 month + {hi},
                    true
                ) as charge_in_period
            from src
            """  # noqa: S608
        )
        content = [
            gxe.ExpectColumnValuesToNotBeNull(column="billing_period"),
            gxe.ExpectColumnValuesToNotBeNull(column="cost_raw"),
            gxe.ExpectColumnValuesToBeInSet(column="cost_is_number", value_set=[True]),
            gxe.ExpectColumnValuesToNotBeNull(column="charge_start"),
            gxe.ExpectColumnValuesToBeInSet(column="charge_in_period", value_set=[True]),
        ]
        raw_cols = {
            "billing_period": _first_col(variant.period_sql, variant.required),
            "cost_raw": _first_col(variant.cost_sql, variant.required),
            "cost_is_number": _first_col(variant.cost_sql, variant.required),
            "charge_start": _first_col(variant.charge_start_sql, variant.required),
            "charge_in_period": _first_col(variant.charge_start_sql, variant.required),
        }
        messages = {
            "billing_period": ("billing period is missing or not a date", "billing_period is null"),
            "cost_raw": ("cost is empty (costs must not be null)", "cost_raw is null"),
            "cost_is_number": ("cost is not a number", "not cost_is_number"),
            "charge_start": ("charge date is missing or not a date", "charge_start is null"),
            "charge_in_period": (
                "charge date is outside the billing period",
                "not charge_in_period",
            ),
        }
        for res in self._run(chk, content):
            _raise_if_errored(res)
            if res.success:
                continue
            col = res.expectation_config.kwargs["column"]
            text, where = messages[col]
            raw = raw_cols[col]
            examples = self._examples(raw_view, chk, where, raw, variant)
            problems.append(
                Problem(raw, text, int(res.result.get("unexpected_count") or 0), examples)
            )
        return problems

    def _examples(
        self, raw_view: str, chk: str, where: str, raw_col: str | None, variant: Variant
    ) -> list[str]:
        """Up to three offending values with their data row numbers (1-based)."""
        value = q(raw_col) if raw_col else "null"
        # quoted column name, internal view names and constant conditions only
        sql = f"""
            select _row, val from (
                select row_number() over () as _row, cast({value} as varchar) as val,
                       c.* from {raw_view} r positional join {chk} c
            ) where {where} limit 3
        """  # noqa: S608
        try:
            rows = self._con.execute(sql).fetchall()
        except duckdb.Error:
            return []
        return [f"row {r}: {v!r}" for r, v in rows]


def _first_col(sql: str, candidates: tuple[str, ...]) -> str | None:
    """The raw column an expression reads (for messages): the first required column named."""
    for c in candidates:
        if c in sql or q(c) in sql:
            return c
    return None


def _raise_if_errored(res: Any) -> None:
    info = res.exception_info or {}
    for v in info.values() if isinstance(info, dict) and "raised_exception" not in info else [info]:
        if isinstance(v, dict) and v.get("raised_exception"):
            raise RuntimeError(
                f"great-expectations could not evaluate an expectation: {v.get('exception_message')}"
            )
