"""Read-only warehouse connections take the pipeline's DuckDB memory limit (ingest/warehouse.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.warehouse import MEMORY_LIMIT_ENV, connect_read_only


@pytest.fixture
def warehouse(tmp_path: Path) -> str:
    path = str(tmp_path / "wh.duckdb")
    con = duckdb.connect(path)
    con.execute("create table t as select 1 as x")
    con.close()
    return path


def _limit(path: str) -> str:
    con = connect_read_only(path)
    try:
        return str(con.execute("select current_setting('memory_limit')").fetchall()[0][0])
    finally:
        con.close()


def test_the_memory_limit_comes_from_the_environment(warehouse, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "300MB")
    # DuckDB reports the limit in its own units (286.1 MiB for 300MB)
    assert _limit(warehouse) == "286.1 MiB"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GB")
    assert _limit(warehouse) == "953.6 MiB"


def test_without_it_duckdb_keeps_its_default(warehouse, monkeypatch):
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    con = duckdb.connect()
    default = str(con.execute("select current_setting('memory_limit')").fetchall()[0][0])
    con.close()
    assert _limit(warehouse) == default


def test_a_bad_limit_is_refused_by_duckdb(warehouse, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(duckdb.Error):
        connect_read_only(warehouse)


def test_a_plain_connection_to_the_same_file_can_stay_open(warehouse, monkeypatch):
    # readers in one process may hold a plain read-only connection already
    plain = duckdb.connect(warehouse, read_only=True)
    try:
        monkeypatch.setenv(MEMORY_LIMIT_ENV, "300MB")
        assert _limit(warehouse) == "286.1 MiB"
    finally:
        plain.close()
