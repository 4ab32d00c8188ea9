"""Where readers find the marts: the published Parquet files (the default) or the tables dbt
built on a PostgreSQL warehouse. The cockpit (app/cockpit/queries) and the ML job's inputs
(models_ml/runs.py) read through one ``MartSource``; their SQL stays DuckDB SQL over
``read_parquet($<mart>)``, and the source says what that reads:

- ``ParquetMarts``: ``<marts_dir>/<mart>.parquet``, the path a bind parameter (today's behaviour);
- ``PostgresMarts``: ``<schema>.<mart>`` on the server, fetched through ADBC as Arrow (one
  ``select`` of its columns, names quoted with ``ingest.sql.ident``, schema and table names bound
  in catalog queries), registered in the DuckDB connection under a quoted name. ``numeric``
  columns arrive as exact text and become DECIMAL (money to the last decimal the mart keeps).

``mart_source(marts_dir, warehouse_url)`` picks one: a URL (``SIBYL_WAREHOUSE_URL``) means
Postgres. The read-only analyst role (``sibyl warehouse grant-readonly``) is enough: the
catalog (``pg_class``, ``pg_attribute``) and ``select`` on the marts schema.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from ingest import fs as lakefs
from ingest.sql import ident

MART_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
MARTS_SCHEMA = "marts"
MAX_CACHED_TABLES = 32  # Arrow copies of Postgres marts kept per process (by table version)
# Postgres types read as they are (ADBC maps them to Arrow) or through a cast to one of them;
# anything else is read as text.
_NATIVE = re.compile(
    r"(text|character varying(\(\d+\))?|character(\(\d+\))?|boolean|smallint|integer|bigint|real|"
    r"double precision|date|timestamp(\(\d\))? with(out)? time zone|text\[\]|character varying\[\])"
)
_NUMERIC = re.compile(r"numeric(?:\((\d+),(\d+)\))?")


def _check_mart(mart: str) -> str:
    if not MART_NAME.fullmatch(mart):
        raise ValueError(f"not a mart name: {mart[:80]!r}")
    return mart


class MartSource(Protocol):
    """Where the marts are. Hashable (a frozen dataclass): part of the readers' cache keys."""

    def __hash__(self) -> int: ...

    def has(self, mart: str) -> bool:
        """Whether the mart exists (has been produced)."""
        ...

    def version(self, mart: str) -> tuple[str, int]:
        """A key that changes when the mart is rebuilt or republished (cache invalidation)."""
        ...

    def describe(self, mart: str) -> str:
        """Where the mart is, for messages (never a password)."""
        ...

    def bind(self, con: duckdb.DuckDBPyConnection, mart: str) -> tuple[str, dict[str, Any]]:
        """SQL text reading the mart in ``con`` (in place of ``read_parquet($<mart>)``) and the
        parameters that text binds."""
        ...


@dataclass(frozen=True)
class ParquetMarts:
    """The published marts folder (local or s3:// gs:// abfs://): ``<marts_dir>/<mart>.parquet``."""

    marts_dir: str

    def path(self, mart: str) -> str:
        return lakefs.join(self.marts_dir, f"{_check_mart(mart)}.parquet")

    def has(self, mart: str) -> bool:
        return lakefs.exists(self.path(mart))

    def version(self, mart: str) -> tuple[str, int]:
        return lakefs.version(self.path(mart))

    def describe(self, mart: str) -> str:
        return lakefs.redact(self.path(mart))

    def connect(self) -> duckdb.DuckDBPyConnection:
        from ingest import duckdb_fs

        return duckdb_fs.connect(self.marts_dir)

    def bind(self, con: duckdb.DuckDBPyConnection, mart: str) -> tuple[str, dict[str, Any]]:
        del con  # DuckDB reads the file itself
        return f"read_parquet(${_check_mart(mart)})", {mart: self.path(mart)}


# ---- Postgres ---------------------------------------------------------------------------------

_CATALOG = """
    select c.relname, c.oid::bigint, c.xmin::text,
           coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0)
    from pg_catalog.pg_class as c
    join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
    left join pg_catalog.pg_stat_user_tables as s on s.relid = c.oid
    where n.nspname = %s and c.relkind in ('r', 'v', 'm', 'p')"""
CATALOG_TTL_S = 5.0  # how long one look at the catalog answers has() and version()

_COLUMNS = """
    select a.attname,
           pg_catalog.format_type(coalesce(nullif(t.typbasetype, 0), a.atttypid),
                                  case when t.typbasetype <> 0 then t.typtypmod else a.atttypmod end)
    from pg_catalog.pg_attribute as a
    join pg_catalog.pg_class as c on c.oid = a.attrelid
    join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
    join pg_catalog.pg_type as t on t.oid = a.atttypid
    where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped
    order by a.attnum"""


def _connect(dsn: str) -> Any:
    import adbc_driver_postgresql.dbapi as adbc

    return adbc.connect(dsn)


def _query(dsn: str, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """A catalog query (psycopg2: a lighter connection than ADBC's, which loads the type catalog)."""
    import psycopg2

    with closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


@functools.lru_cache(maxsize=16)
def _catalog(dsn: str, schema: str, bucket: int) -> dict[str, tuple[int, str, int]]:
    """Every table of the schema: (oid, xmin of its catalog row, rows changed). One query per
    CATALOG_TTL_S (``bucket``) answers every has() and version() of a cockpit page."""
    del bucket  # part of the cache key only
    return {str(r[0]): (int(r[1]), str(r[2]), int(r[3])) for r in _query(dsn, _CATALOG, (schema,))}


def select_list(columns: list[tuple[str, str]]) -> tuple[str, dict[str, tuple[int, int]]]:
    """The Postgres select list for a mart's (name, type) columns, and its numeric columns with
    the DECIMAL (precision, scale) each becomes: names quoted, domains cast to their base type
    (only the types in ``_NATIVE``), numeric as exact text, anything else as text."""
    items: list[str] = []
    numerics: dict[str, tuple[int, int]] = {}
    for name, type_ in columns:
        col = ident(name)
        num = _NUMERIC.fullmatch(type_)
        if num:
            p, s = (int(num.group(1)), int(num.group(2))) if num.group(1) else (38, 10)
            numerics[name] = (min(p, 38), min(s, 38))
            items.append(f"cast({col} as text) as {col}")
        elif _NATIVE.fullmatch(type_):
            # a domain (the models' `double`) reads as its base type; the type text is one of _NATIVE
            items.append(f"cast({col} as {type_}) as {col}")
        else:
            items.append(f"cast({col} as text) as {col}")
    return ", ".join(items), numerics


@functools.lru_cache(maxsize=MAX_CACHED_TABLES)
def _fetch(dsn: str, schema: str, mart: str, version: tuple[str, int]) -> pa.Table:
    """One mart as Arrow, numeric columns as DECIMAL; cached per table version."""
    del version  # part of the cache key only
    columns = [(str(n), str(t)) for n, t in _query(dsn, _COLUMNS, (schema, mart))]
    if not columns:
        raise LookupError(f"{schema}.{mart} has no columns or is not readable")
    items, numerics = select_list(columns)
    # names quoted by ident(); types from the _NATIVE / _NUMERIC patterns only
    sql = f"select {items} from {ident(schema)}.{ident(mart)}"  # noqa: S608
    with _connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql)
        table = cur.fetch_arrow_table()
    table = table.replace_schema_metadata(None)
    if not numerics:
        return table
    con = duckdb.connect()
    try:
        con.register("pg_mart", table)
        cols = ", ".join(
            f"cast({ident(n)} as decimal({numerics[n][0]}, {numerics[n][1]})) as {ident(n)}"
            if n in numerics
            else ident(n)
            for n, _ in columns
        )
        return con.sql(f"select {cols} from pg_mart").to_arrow_table()  # noqa: S608 (ident)
    finally:
        con.close()


@dataclass(frozen=True)
class PostgresMarts:
    """The marts dbt built on a PostgreSQL warehouse (``dsn``: a libpq URL or key=value string;
    ``redacted``: the same without the password, for messages)."""

    dsn: str = dataclasses.field(repr=False)  # may hold the password: never in a repr or log
    redacted: str = ""
    schema: str = MARTS_SCHEMA

    @classmethod
    def from_url(cls, url: str) -> PostgresMarts:
        from ingest.pg_warehouse import parse_target

        target = parse_target(url)
        if target.password is None and os.environ.get("SIBYL_PG_PASSWORD"):
            target = dataclasses.replace(target, password=os.environ["SIBYL_PG_PASSWORD"])
        return cls(target.dsn, target.redacted)

    def _catalog(self, mart: str) -> tuple[int, str, int] | None:
        bucket = int(time.monotonic() // CATALOG_TTL_S)
        return _catalog(self.dsn, self.schema, bucket).get(_check_mart(mart))

    def has(self, mart: str) -> bool:
        return self._catalog(mart) is not None

    def version(self, mart: str) -> tuple[str, int]:
        found = self._catalog(mart)
        if found is None:
            raise LookupError(f"{self.describe(mart)} does not exist")
        oid, xmin, changes = found
        return f"{oid}:{xmin}", changes

    def describe(self, mart: str) -> str:
        return f"{self.redacted} {self.schema}.{mart}"

    def arrow(self, mart: str, version: tuple[str, int] | None = None) -> pa.Table:
        """The whole mart as Arrow (cached until the table changes)."""
        return _fetch(self.dsn, self.schema, _check_mart(mart), version or self.version(mart))

    def bind(self, con: duckdb.DuckDBPyConnection, mart: str) -> tuple[str, dict[str, Any]]:
        name = f"pg_{_check_mart(mart)}"
        con.register(name, self.arrow(mart))
        return ident(name), {}


def mart_source(marts_dir: str, warehouse_url: str = "") -> ParquetMarts | PostgresMarts:
    """Postgres when a warehouse URL is set, else the published Parquet folder."""
    if warehouse_url:
        return PostgresMarts.from_url(warehouse_url)
    return ParquetMarts(marts_dir)


@contextmanager
def _relation(
    source: MartSource, sql: str, params: dict[str, Any] | None, marts: tuple[str, ...]
) -> Iterator[duckdb.DuckDBPyRelation]:
    con = source.connect() if isinstance(source, ParquetMarts) else duckdb.connect()
    try:
        bound = dict(params or {})
        for m in marts:
            text, extra = source.bind(con, m)
            sql = sql.replace(f"read_parquet(${m})", text)
            bound.update(extra)
        used = {k: v for k, v in bound.items() if re.search(rf"\${k}\b", sql)}
        yield con.sql(sql, params=used)
    finally:
        con.close()


def query(
    source: MartSource, sql: str, params: dict[str, Any] | None, marts: tuple[str, ...]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of ``sql``: DuckDB SQL where ``read_parquet($<mart>)`` reads each of
    ``marts`` from ``source`` and other ``$name``s bind ``params`` (only those the text names)."""
    with _relation(source, sql, params, marts) as rel:
        return list(rel.columns), rel.fetchall()


def query_arrow(
    source: MartSource, sql: str, params: dict[str, Any] | None, marts: tuple[str, ...]
) -> pa.Table:
    """``query`` as an Arrow table."""
    with _relation(source, sql, params, marts) as rel:
        return rel.to_arrow_table()
