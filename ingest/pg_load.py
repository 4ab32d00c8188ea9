"""The lake in PostgreSQL: every Parquet table dbt reads on DuckDB, bulk-loaded into one schema.

On DuckDB, dbt reads the lake's files directly (macros/lake.sql, ml.sql, ai.sql). On Postgres it
reads tables this module loads into the ``lake`` schema, one per thing DuckDB globs:

- ``raw__<provider>__<variant>``: ``raw/<provider>/billing_period=*/<variant>__*.parquet`` and the
  registered deliveries ``<variant>__<dataset>/*.parquet`` beside them, with their lineage columns
- ``ml__<table>``: ``ml/<table>/**/*.parquet`` (anomaly events, forecasts, budget status, savings)
- ``ai__<table>``: ``ai/<table>/*.parquet`` (the AI ingest's fact tables)
- ``config__<name>``: the organisation's configuration CSVs (``sibyl run --config-dir``), every
  column text as DuckDB's ``read_csv(all_varchar)`` gives them to dbt
- ``control_totals`` and ``run_reports``: ingest's JSON control totals and run reports (their
  lists of periods and notes as text arrays)

DuckDB reads each group exactly as the dbt macros do (``read_parquet(files, union_by_name)``, so
schema drift across files resolves the same way: columns unioned by name, missing ones null), and
its Arrow batches go to Postgres through ADBC's bulk ingest (binary COPY), never row inserts.
Nested columns (MAP, STRUCT, LIST) arrive as their DuckDB JSON text, which the Postgres macros read
with ``::jsonb``; DOUBLE columns as numeric(38, 10), the exact decimal the models' casts make of
them on DuckDB (Postgres' own float8 -> numeric cast rounds to 15 digits). Table and schema names are quoted by the ADBC driver (ingest) and by
``psycopg2.sql`` (DDL); the DuckDB side reads file lists as bind parameters.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import adbc_driver_postgresql.dbapi as adbc
import duckdb
import psycopg2
import pyarrow as pa
from psycopg2 import sql as pgsql

from ingest.lake import read_lake_files
from ingest.sql import ident

log = logging.getLogger(__name__)

LAKE_SCHEMA = "lake"
BATCH_ROWS = 100_000
MAX_NAME = 63  # Postgres identifiers are cut at 63 bytes: refuse instead of colliding

_NESTED = ("STRUCT", "MAP", "UNION")
_FLOATS = ("DOUBLE", "FLOAT", "REAL")
_CONFIG_NAME = re.compile(r"[a-z][a-z0-9_]{0,50}")
MART_TABLE = re.compile(r"[a-z][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class TableFiles:
    """One Postgres table and the lake files that make it. A ``raw`` table is read as dbt's
    ``lake_source`` reads it on DuckDB (ingest.lake.read_lake_files): rewritten partitions
    (``files``) and registered deliveries (``registered``, their lineage from ``manifests``),
    unioned by name; ML/AI tables are their ``files`` unioned by name."""

    name: str
    files: tuple[str, ...]
    raw: bool
    registered: tuple[str, ...] = ()
    manifests: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadedTable:
    name: str
    files: int
    rows: int
    seconds: float


def plan_tables(lake_root: str | Path) -> list[TableFiles]:
    """Every table to load, with its files in a stable order. Symlinked files are skipped: the
    lake root is a boundary."""
    root = Path(lake_root)
    real_root = root.resolve()
    groups: dict[str, tuple[list[str], bool]] = {}
    registered: dict[str, list[str]] = {}

    def usable(path: Path) -> bool:  # a plain file that is really inside the lake root
        return path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(real_root)

    def add(name: str, path: Path, raw: bool, into: dict[str, list[str]] | None = None) -> None:
        if not usable(path):
            return
        if len(name.encode()) > MAX_NAME:
            raise ValueError(f"lake table name longer than {MAX_NAME} bytes: {name[:80]!r}")
        groups.setdefault(name, ([], raw))
        if into is not None:
            into.setdefault(name, []).append(str(path))
        else:
            groups[name][0].append(str(path))

    for path in sorted(root.glob("raw/*/*/*__*.parquet")):  # rewritten partitions
        provider, variant = path.parent.parent.name, path.name.split("__", 1)[0]
        add(f"raw__{provider}__{variant}", path, True)
    for path in sorted(root.glob("raw/*/*/*__*/*.parquet")):  # registered (zero-copy) deliveries
        provider, variant = path.parent.parent.parent.name, path.parent.name.split("__", 1)[0]
        add(f"raw__{provider}__{variant}", path, True, registered)
    manifests: dict[str, list[str]] = {}
    for name in registered:
        _, provider, variant = name.split("__", 2)
        for path in sorted(root.glob(f"_control/{provider}/*/{variant}__*.json")):
            if usable(path):
                manifests.setdefault(name, []).append(str(path))
    for kind in ("ml", "ai"):
        base = root / kind
        if not base.is_dir():
            continue
        for table_dir in sorted(p for p in base.iterdir() if p.is_dir() and not p.is_symlink()):
            pattern = "**/*.parquet" if kind == "ml" else "*.parquet"
            for path in sorted(table_dir.glob(pattern)):
                add(f"{kind}__{table_dir.name}", path, False)
    return [
        TableFiles(n, tuple(f), r, tuple(registered.get(n, ())), tuple(manifests.get(n, ())))
        for n, (f, r) in sorted(groups.items())
    ]


def _select_list(con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation) -> str:
    """The relation's columns, nested ones as their JSON text (Postgres reads them as jsonb)."""
    parts = []
    for name, dtype in zip(relation.columns, relation.dtypes, strict=True):
        text = str(dtype).upper()
        if text.startswith(_NESTED) or text.endswith("]"):
            parts.append(f"cast(to_json({ident(name)}) as varchar) as {ident(name)}")
        elif text in _FLOATS:
            # the exact decimal DuckDB's try_cast(x as decimal(38, 10)) makes of the double;
            # Postgres' float8 -> numeric keeps 15 digits, a different number
            parts.append(f"try_cast({ident(name)} as decimal(38, 10)) as {ident(name)}")
        else:
            parts.append(ident(name))
    return ", ".join(parts)


def _parquet_batches(
    con: duckdb.DuckDBPyConnection, table: TableFiles
) -> Iterator[duckdb.DuckDBPyRelation]:
    if table.raw:
        rel = read_lake_files(con, list(table.files), list(table.registered), list(table.manifests))
        if rel is not None and rel.columns:
            yield rel.project(_select_list(con, rel))  # identifiers quoted by ingest.sql.ident
        return
    rel = con.read_parquet(list(table.files), union_by_name=True, hive_partitioning=False)
    if not rel.columns:
        return
    # identifiers quoted by ingest.sql.ident; the file list is a bind parameter
    query = f"select {_select_list(con, rel)} from read_parquet($files, union_by_name = true, hive_partitioning = false)"  # noqa: S608
    yield con.query(query, params={"files": list(table.files)})


_CONTROL_SQL = """
select c.source, c.variant, c.dataset, c.dataset_type, t.provider, t.billing_account_id,
       t.billing_period, t.currency, t."rows", t.billed_total
from read_json($files, format = 'auto', columns = {source: 'VARCHAR', variant: 'VARCHAR',
     dataset: 'VARCHAR', dataset_type: 'VARCHAR',
     totals: 'STRUCT(provider VARCHAR, billing_account_id VARCHAR, billing_period VARCHAR, currency VARCHAR, "rows" BIGINT, billed_total VARCHAR)[]'}) as c,
     unnest(c.totals) as u(t)
"""

_RUNS_SQL = """
select r.run_id, r.started_at, r.finished_at, f.rel, f.status, f.provider, f.source, f.variant,
       f.dataset, f.dataset_type, f.periods, f."rows",
       f.billed_total, f.reason, f.notes, f.quarantine_path
from read_json($files, format = 'auto', columns = {run_id: 'VARCHAR', started_at: 'VARCHAR',
     finished_at: 'VARCHAR', files: 'STRUCT(rel VARCHAR, status VARCHAR, provider VARCHAR, source VARCHAR, variant VARCHAR, dataset VARCHAR, dataset_type VARCHAR, periods VARCHAR[], "rows" BIGINT, billed_total VARCHAR, reason VARCHAR, notes VARCHAR[], quarantine_path VARCHAR)[]'}) as r,
     unnest(r.files) as u(f)
"""


def _json_tables(root: Path) -> list[tuple[str, str, list[str]]]:
    def files(pattern: str) -> list[str]:
        return sorted(str(p) for p in root.glob(pattern) if p.is_file() and not p.is_symlink())

    return [
        ("control_totals", _CONTROL_SQL, files("_control/*/*/*.json")),
        ("run_reports", _RUNS_SQL, files("_state/runs/*.json")),
    ]


def _ingest(cursor: adbc.Cursor, name: str, schema: str, reader: object) -> int:
    return int(cursor.adbc_ingest(name, reader, mode="create", db_schema_name=schema))  # type: ignore[arg-type]


def config_files(config_dir: str | Path) -> list[Path]:
    """The configuration CSVs of a folder (plain names only; symlinks skipped)."""
    folder = Path(config_dir)
    return sorted(
        p for p in folder.glob("*.csv")
        if p.is_file() and not p.is_symlink() and _CONFIG_NAME.fullmatch(p.stem)
    )  # fmt: skip


def load_lake(
    lake_root: str | Path, dsn: str, schema: str = LAKE_SCHEMA, config_dir: str | Path | None = None
) -> list[LoadedTable]:
    """Replace the ``schema`` schema with the lake's current files; returns what was loaded.

    The schema is dropped with CASCADE first: dbt's staging and intermediate views read its
    tables, and Postgres binds a view to the table it was created on, so they go too and the
    next dbt run (which follows every load) creates them again. Marts are tables and stay
    readable meanwhile. A source that disappeared from the lake disappears from Postgres too."""
    root = Path(lake_root).resolve()
    plan = plan_tables(root)
    loaded: list[LoadedTable] = []
    _reset_schema(dsn, schema)
    duck = duckdb.connect()
    try:
        duck.execute("set timezone = 'UTC'")
        with adbc.connect(dsn) as conn, conn.cursor() as cursor:
            for table in plan:
                start = time.perf_counter()
                for rel in _parquet_batches(duck, table):
                    rows = _ingest(cursor, table.name, schema, rel.fetch_record_batch(BATCH_ROWS))
                    loaded.append(
                        LoadedTable(table.name, len(table.files), rows, time.perf_counter() - start)
                    )
            for name, query, files in _json_tables(root):
                if not files:
                    continue
                start = time.perf_counter()
                rel = duck.query(query, params={"files": files})
                rows = _ingest(cursor, name, schema, rel.fetch_record_batch(BATCH_ROWS))
                loaded.append(LoadedTable(name, len(files), rows, time.perf_counter() - start))
            for path in config_files(config_dir) if config_dir else []:
                start = time.perf_counter()
                rel = duck.query(
                    "select * from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"')",
                    params={"path": str(path)},
                )
                name = f"config__{path.stem}"
                rows = _ingest(cursor, name, schema, rel.fetch_record_batch(BATCH_ROWS))
                loaded.append(LoadedTable(name, 1, rows, time.perf_counter() - start))
            conn.commit()
    finally:
        duck.close()
    for t in loaded:
        log.info("loaded %s: %d rows from %d files in %.2fs", t.name, t.rows, t.files, t.seconds)
    return loaded


def replace_table(dsn: str, schema: str, name: str, table: pa.Table) -> int:
    """Replace ``schema.name`` with ``table`` (bulk, through ADBC's COPY) in one transaction, so
    a reader sees the old table or the new one, never none; returns the rows written. For the
    marts the Python jobs publish themselves (the gate's IaC checks), not dbt."""
    if not MART_TABLE.fullmatch(name) or not MART_TABLE.fullmatch(schema):
        raise ValueError(f"not a table name: {schema[:70]!r}.{name[:70]!r}")
    qualified = f"{ident(schema)}.{ident(name)}"
    with adbc.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(f"create schema if not exists {ident(schema)}")
        cur.execute(f"drop table if exists {qualified}")
        rows = int(cur.adbc_ingest(name, table, mode="create", db_schema_name=schema))
        conn.commit()
    return rows


def _reset_schema(dsn: str, schema: str) -> None:
    with psycopg2.connect(dsn) as pg, pg.cursor() as cur:
        ident_schema = pgsql.Identifier(schema)
        cur.execute(pgsql.SQL("drop schema if exists {} cascade").format(ident_schema))
        cur.execute(pgsql.SQL("create schema {}").format(ident_schema))
