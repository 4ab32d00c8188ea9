"""A throwaway PostgreSQL server for tests: the machine's binaries (`pg_config --bindir`), a data
directory in a temp folder, a free port on 127.0.0.1, trust authentication, stopped afterwards.

initdb refuses to run as root; when the tests run as root (CI does), the server runs as the
`postgres` system user that Debian's postgresql package creates, through runuser.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "sibyl"
DATABASE = "sibyl"


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    database: str

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


def bindir() -> Path | None:
    """The server binaries' folder, or None when PostgreSQL is not installed."""
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
    path = Path(out.stdout.strip())
    return path if (path / "initdb").exists() and (path / "pg_ctl").exists() else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def temp_postgres(base: Path) -> Iterator[PgServer]:
    """Start a PostgreSQL server with its data under `base`; stop it on exit."""
    bins = bindir()
    if bins is None:
        raise RuntimeError("PostgreSQL server binaries not found (pg_config --bindir)")
    prefix: list[str] = []
    if os.geteuid() == 0:
        # pytest's temp folders are private to root: the server's own folder goes in /tmp
        base = Path(tempfile.mkdtemp(prefix="sibyl-pg-"))
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, sock = base / "pgdata", base / "pgsock"
    subprocess.run([*prefix, "mkdir", "-p", str(sock)], check=True)
    port = _free_port()
    subprocess.run(
        [*prefix, str(bins / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
         "--encoding=UTF8", "--locale=C", "--no-sync"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    opts = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c timezone=UTC -c jit=off"
    )
    subprocess.run(
        [*prefix, str(bins / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(base / "pg.log"),
         "-w", "start"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    try:
        subprocess.run(
            [*prefix, str(bins / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER,
             DATABASE],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        yield PgServer("127.0.0.1", port, SUPERUSER, DATABASE)
    finally:
        subprocess.run(
            [*prefix, str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True, text=True,
        )  # fmt: skip
        if prefix:
            shutil.rmtree(base, ignore_errors=True)


def sync_env(root: Path, warehouse: Path) -> dict[str, str]:
    """The settings `sibyl warehouse sync` reads for a pipeline folder: its lake, DuckDB warehouse
    (for the dbt target folder next to it) and marts under `root`."""
    return {"SIBYL_DATA_DIR": str(root), "SIBYL_LAKE_ROOT": str(root / "lake"),
            "SIBYL_WAREHOUSE": str(warehouse), "SIBYL_MARTS_DIR": str(root / "marts")}  # fmt: skip


def table_rows(url: str, schema: str) -> dict[str, int]:
    """Rows of every table in a schema, by table name."""
    import psycopg2
    from psycopg2 import sql as pgsql

    out = {}
    with psycopg2.connect(url) as pg, pg.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.tables where table_schema = %s", (schema,)
        )
        for (name,) in cur.fetchall():
            cur.execute(
                pgsql.SQL("select count(*) from {}.{}").format(
                    pgsql.Identifier(schema), pgsql.Identifier(name)
                )
            )
            out[name] = int(cur.fetchone()[0])  # type: ignore[index]
    return out
