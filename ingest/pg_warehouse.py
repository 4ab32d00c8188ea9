"""A Postgres warehouse for Sibyl: its connection URL, dbt's environment for it, the analysts'
read-only role.

The URL (``postgresql://user[:password]@host:port/db``) is parsed by libpq's own parser
(psycopg2's ``parse_dsn``); the password never reaches a log line (``redacted``) and reaches dbt
through the environment only. Role and schema names go into SQL through ``psycopg2.sql``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import psycopg2
from psycopg2 import sql as pgsql
from psycopg2.extensions import make_dsn, parse_dsn

# the schemas analysts read: the marts and the FOCUS view (focus_charges lives in marts too)
READ_SCHEMAS = ("marts",)
DEFAULT_ROLE = "sibyl_analyst"


@dataclass(frozen=True)
class PgTarget:
    host: str
    port: int
    user: str
    database: str
    password: str | None = None

    @property
    def dsn(self) -> str:
        """A libpq connection string (with the password: never log it; see ``redacted``)."""
        return str(
            make_dsn(
                host=self.host, port=self.port, user=self.user, dbname=self.database,
                password=self.password,
            )
        )  # fmt: skip

    @property
    def redacted(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


def parse_target(url: str) -> PgTarget:
    """A ``postgresql://`` URL as a target; ValueError names what is missing (never the
    password)."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise ValueError("the warehouse URL must start with postgresql://")
    try:
        parts = parse_dsn(url)
    except psycopg2.ProgrammingError:
        raise ValueError("the warehouse URL is not a valid postgresql:// URL") from None
    missing = [k for k in ("host", "user", "dbname") if not parts.get(k)]
    if missing:
        raise ValueError(f"the warehouse URL lacks {', '.join(missing)}")
    port = int(parts.get("port") or 5432)
    if not 0 < port < 65536:
        raise ValueError("the warehouse URL's port is out of range")
    return PgTarget(parts["host"], port, parts["user"], parts["dbname"], parts.get("password"))


def dbt_env(target: PgTarget) -> dict[str, str]:
    """The environment that points the committed profiles.yml at this warehouse."""
    env = {
        "DBT_TARGET": "postgres",
        "SIBYL_PG_HOST": target.host,
        "SIBYL_PG_PORT": str(target.port),
        "SIBYL_PG_USER": target.user,
        "SIBYL_PG_DATABASE": target.database,
        "SIBYL_PG_PASSWORD": target.password or os.environ.get("SIBYL_PG_PASSWORD", ""),
        # dbt's data tests run without the models' pre-hook: no JIT for them either
        "PGOPTIONS": "-c jit=off -c timezone=UTC",
    }
    return env


def grant_readonly(
    dsn: str, role: str = DEFAULT_ROLE, schemas: tuple[str, ...] = READ_SCHEMAS,
    password: str | None = None,
) -> None:  # fmt: skip
    """Create (or update) a role that can read the marts and nothing else: CONNECT on the
    database, USAGE and SELECT on the schemas, and default privileges so tables dbt creates
    later are readable too. It can log in only when given a password."""
    if not role or len(role.encode()) > 63:
        raise ValueError("role name must be 1 to 63 bytes")
    r = pgsql.Identifier(role)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("select 1 from pg_roles where rolname = %s", (role,))
        if cur.fetchone() is None:
            cur.execute(pgsql.SQL("create role {} nologin").format(r))
        if password:
            cur.execute(pgsql.SQL("alter role {} login password %s").format(r), (password,))
        cur.execute("select current_database()")
        (db,) = cur.fetchone()  # type: ignore[misc]
        cur.execute(pgsql.SQL("grant connect on database {} to {}").format(pgsql.Identifier(db), r))
        for schema in schemas:
            s = pgsql.Identifier(schema)
            cur.execute(pgsql.SQL("create schema if not exists {}").format(s))
            cur.execute(pgsql.SQL("grant usage on schema {} to {}").format(s, r))
            cur.execute(pgsql.SQL("grant select on all tables in schema {} to {}").format(s, r))
            cur.execute(
                pgsql.SQL(
                    "alter default privileges in schema {} grant select on tables to {}"
                ).format(s, r)
            )
