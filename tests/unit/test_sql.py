"""The quoting helpers keep names and paths out of SQL's syntax, whatever characters they hold."""

from __future__ import annotations

import duckdb
import pytest

from ingest.sql import ident, literal, literal_list

HOSTILE = [
    "plain",
    "o'neil",
    'say "hi"',
    "x'); copy (select 1) to '/tmp/pwn.csv'; --",
    "é ü 中",
    "a\\b",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_round_trips_through_duckdb(text: str) -> None:
    assert duckdb.connect().execute(f"select {literal(text)}").fetchone() == (text,)  # noqa: S608


@pytest.mark.parametrize("text", HOSTILE)
def test_ident_names_exactly_one_column(text: str) -> None:
    con = duckdb.connect()
    con.execute(f"create table t ({ident(text)} integer)")
    assert [r[0] for r in con.execute("describe t").fetchall()] == [text]
    assert con.execute(f"select {ident(text)} from t").fetchall() == []  # noqa: S608


def test_literal_list_and_nul_rejected() -> None:
    values = ["a", "b'c"]
    sql = f"select [{literal_list(values)}]"
    assert duckdb.connect().execute(sql).fetchone() == (values,)
    with pytest.raises(ValueError, match="NUL"):
        literal("a\x00b")
    with pytest.raises(ValueError, match="NUL"):
        ident("a\x00b")
