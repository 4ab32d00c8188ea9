"""Mart sources (ingest/pg_marts.py): the Parquet source binds paths, the Postgres source's select
list quotes every name and reads numeric exactly; bad mart names are refused. The Postgres source
against a real server: tests/e2e/test_postgres_parity.py."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.pg_marts import (
    ParquetMarts,
    PostgresMarts,
    mart_source,
    query,
    query_arrow,
    select_list,
)


def test_select_list_quotes_names_casts_domains_and_reads_numeric_as_text() -> None:
    items, numerics = select_list(
        [("cost", "numeric(38,10)"), ("total", "numeric"), ("name", "text"),
         ("y", "double precision"), ("tags", "jsonb"), ('a"b', "character varying"),
         ("day", "date"), ("at", "timestamp without time zone")]
    )  # fmt: skip
    assert items == (
        'cast("cost" as text) as "cost", cast("total" as text) as "total", '
        'cast("name" as text) as "name", cast("y" as double precision) as "y", '
        'cast("tags" as text) as "tags", cast("a""b" as character varying) as "a""b", '
        'cast("day" as date) as "day", '
        'cast("at" as timestamp without time zone) as "at"'
    )
    assert numerics == {"cost": (38, 10), "total": (38, 10)}


def test_a_type_text_outside_the_known_ones_is_never_spliced() -> None:
    items, _ = select_list([("x", "int); drop table marts.fct_charges; --")])
    assert items == 'cast("x" as text) as "x"'


@pytest.mark.parametrize("bad", ["", "Fct", "fct; drop", "../x", "a" * 64, "fct_x$y"])
def test_bad_mart_names_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="not a mart name"):
        ParquetMarts(str(tmp_path)).has(bad)


def test_the_parquet_source_binds_the_file_and_the_parameters(tmp_path: Path) -> None:
    duckdb.sql(
        "select * from (values ('a', 1.10::decimal(38, 10)), ('b', 2.25::decimal(38, 10))) v(team_id, cost)"
    ).write_parquet(str(tmp_path / "fct_x.parquet"))
    src = ParquetMarts(str(tmp_path))
    assert src.has("fct_x") and not src.has("fct_y")
    cols, rows = query(
        src,
        "select team_id, cost from read_parquet($fct_x) where team_id = $t",
        {"t": "b"},
        ("fct_x",),
    )
    assert cols == ["team_id", "cost"] and rows == [("b", Decimal("2.25"))]
    table = query_arrow(
        src, "select sum(cost) as s from read_parquet($fct_x)", {"unused": 1}, ("fct_x",)
    )
    assert table.to_pylist() == [{"s": Decimal("3.35")}]


def test_the_setting_picks_the_source(monkeypatch) -> None:
    monkeypatch.delenv("SIBYL_PG_PASSWORD", raising=False)
    assert mart_source("/m") == ParquetMarts("/m")
    pg = mart_source("/m", "postgresql://analyst@db.internal:5433/sibyl")
    assert isinstance(pg, PostgresMarts)
    assert (
        pg.describe("fct_daily_costs")
        == "postgresql://analyst@db.internal:5433/sibyl marts.fct_daily_costs"
    )
    monkeypatch.setenv("SIBYL_PG_PASSWORD", "s3cret")
    pg = mart_source("/m", "postgresql://analyst@db.internal/sibyl")
    assert isinstance(pg, PostgresMarts) and "s3cret" in pg.dsn and "s3cret" not in pg.redacted
    with pytest.raises(ValueError):
        mart_source("/m", "mysql://x@y/z")


def test_the_password_stays_out_of_the_sources_repr() -> None:
    pg = PostgresMarts.from_url("postgresql://analyst:hunter2@db.internal/sibyl")
    assert "hunter2" in pg.dsn and "hunter2" not in repr(pg) and "hunter2" not in pg.describe("x")
