"""The DuckDB warehouse file: brief read-only connections for readers that run beside a writer."""

from __future__ import annotations

import os
import time

import duckdb

MEMORY_LIMIT_ENV = "SIBYL_DUCKDB_MEMORY_LIMIT"


def connect_read_only(
    warehouse_path: str, attempts: int = 20, wait_s: float = 0.25
) -> duckdb.DuckDBPyConnection:
    """A read-only connection, retried while a writer holds the file lock.

    DuckDB's memory_limit is the one dbt gets (``SIBYL_DUCKDB_MEMORY_LIMIT``) when it is set:
    otherwise a reader takes DuckDB's default, 80% of the machine's memory (publishing a 65M-row
    mart in order peaked at 20.5 GB on a 24 GB machine). DuckDB checks the value itself.
    """
    limit = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    for attempt in range(attempts):
        try:
            con = duckdb.connect(warehouse_path, read_only=True)
            if limit:
                # a bound SET, not connect(config=...): DuckDB refuses a second connection to the
                # same file in one process when its config differs from the first one's
                try:
                    con.execute("set memory_limit = ?", [limit])
                except duckdb.Error:
                    con.close()
                    raise
            return con
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise
            time.sleep(wait_s * (attempt + 1))
    raise RuntimeError("unreachable")
