"""The DuckDB warehouse file: brief read-only connections for readers that run beside a writer."""

from __future__ import annotations

import time

import duckdb


def connect_read_only(
    warehouse_path: str, attempts: int = 20, wait_s: float = 0.25
) -> duckdb.DuckDBPyConnection:
    """A read-only connection, retried while a writer holds the file lock."""
    for attempt in range(attempts):
        try:
            return duckdb.connect(warehouse_path, read_only=True)
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise
            time.sleep(wait_s * (attempt + 1))
    raise RuntimeError("unreachable")
