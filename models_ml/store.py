"""The ML tables in the lake (``<lake>/ml/<table>/...parquet``), local or s3:// gs:// abfs://.

Tables the pipeline rewrites whole (events, latest scores) are replaced atomically; logs that humans
or deliveries append to (anomaly status, budget overrides, webhook deliveries) get one new file per
write and are never rewritten, so concurrent writers (the cockpit, the CLI, a run) cannot lose a row.
dbt declares these tables as the ``ml`` source (dbt_project/models/staging/sources.yml).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

import polars as pl

from ingest import fs as lakefs

ML = "ml"


def table_glob(lake_root: str, table: str) -> str:
    return f"{lake_root.rstrip('/')}/{ML}/{table}/**/*.parquet"


def write_table(lake_root: str, rel: str, frame: pl.DataFrame) -> str:
    """Write ``frame`` to ``<lake>/ml/<rel>`` atomically; returns the path/URL.

    A frame without columns (a run that found nothing and knows no schema) removes the file
    instead: DuckDB cannot read a Parquet file without columns, and an absent table reads as the
    typed empty relation of the dbt ``ml_table`` macro, while a stale file would keep last run's rows.
    """
    if frame.width == 0:
        fs, base = lakefs.get_fs(lake_root)
        target = f"{base.rstrip('/')}/{ML}/{rel}"
        if fs.exists(target):
            fs.rm(target)
        return target
    with tempfile.TemporaryDirectory(prefix="sibyl-ml-") as tmp:
        local = Path(tmp) / "t.parquet"
        frame.write_parquet(local, compression="zstd")
        return lakefs.put_atomic(local, lake_root, f"{ML}/{rel}")


def append_log(lake_root: str, table: str, frame: pl.DataFrame) -> str:
    """A new file in an append-only log table, named so that listing order is write order."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return write_table(lake_root, f"{table}/{stamp}-{uuid.uuid4().hex[:8]}.parquet", frame)


def read_table(
    lake_root: str, table: str, schema: dict[str, pl.DataType] | None = None
) -> pl.DataFrame:
    """Every parquet file of a table, concatenated (an empty frame with ``schema`` when none)."""
    fs, base = lakefs.get_fs(lake_root)
    root = f"{base.rstrip('/')}/{ML}/{table}"
    files = sorted(fs.glob(f"{root}/**/*.parquet")) if fs.exists(root) else []
    if not files:
        return pl.DataFrame(schema=schema or {})
    frames = []
    for f in files:
        with fs.open(f, "rb") as fh:
            frames.append(pl.read_parquet(fh))
    return pl.concat(frames, how="diagonal_relaxed")


def partitions(lake_root: str, table: str) -> list[str]:
    """The ``key=value`` folders of a partitioned table, sorted (``as_of=2026-11-23`` ...)."""
    fs, base = lakefs.get_fs(lake_root)
    root = f"{base.rstrip('/')}/{ML}/{table}"
    if not fs.exists(root):
        return []
    return sorted(
        p.rstrip("/").rsplit("/", 1)[-1]
        for p in fs.ls(root, detail=False)
        if "=" in p.rsplit("/", 1)[-1]
    )


def read_latest_partition(lake_root: str, table: str) -> pl.DataFrame:
    """Only the newest partition of a partitioned table (history is not read)."""
    parts = partitions(lake_root, table)
    return read_table(lake_root, f"{table}/{parts[-1]}") if parts else pl.DataFrame()


def exists(lake_root: str, rel: str) -> bool:
    fs, base = lakefs.get_fs(lake_root)
    return bool(fs.exists(f"{base.rstrip('/')}/{ML}/{rel}"))
