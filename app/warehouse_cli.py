"""`sibyl warehouse`: the same marts on a PostgreSQL server (docs/postgres.md).

``sync`` bulk-loads the lake (and the ML, AI and savings outputs the Python jobs wrote there)
into the server's ``lake`` schema, builds every dbt model with the Postgres target, copies the
gate's IaC checks table (not a dbt model) into the marts schema and grants the analysts'
read-only role; ``grant-readonly`` only does the last. ``sibyl run --warehouse URL``
calls ``sync`` after its usual run, so the cockpit keeps reading the published Parquet marts while
analysts read the same marts from Postgres.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def sync(url: str, role: str | None = None) -> int:
    """Load the lake, build the models on Postgres, grant the read-only role; dbt's exit code."""
    from ingest.pg_load import load_lake, replace_table
    from ingest.pg_marts import MARTS_SCHEMA
    from ingest.pg_warehouse import DEFAULT_ROLE, dbt_env, grant_readonly, parse_target
    from orchestration.lib.ci_artifacts import checks_table
    from orchestration.settings import Settings, is_url

    target = parse_target(url)
    s = Settings.from_env()
    if is_url(s.lake_root):
        print("sibyl warehouse: a remote lake cannot be loaded into Postgres yet", file=sys.stderr)
        return 2
    print(f"== loading the lake into {target.redacted} ==", flush=True)
    loaded = load_lake(s.lake_root, target.dsn, config_dir=s.config_dir or None)
    print(f"{len(loaded)} tables, {sum(t.rows for t in loaded)} rows", flush=True)
    env = {
        **os.environ,
        **s.dbt_env(),
        **dbt_env(target),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = str(Path(sys.executable).parent / "dbt")
    cmd = [dbt, "build", "--project-dir", s.dbt_project_dir, "--profiles-dir", s.dbt_project_dir,
           "--target-path", str(Path(s.data_dir) / "dbt_target_postgres")]  # fmt: skip
    print("== dbt build (target postgres) ==", flush=True)
    code = subprocess.run(cmd, env=env).returncode  # noqa: S603 (the venv's dbt, fixed arguments)
    # the gate's checks table is written by the policy-check asset, not dbt: copied as published
    checks = checks_table(str(Path(s.data_dir) / "iac" / "checks"))
    if checks is not None:
        n = replace_table(target.dsn, MARTS_SCHEMA, "fct_iac_checks", checks)
        print(f"{MARTS_SCHEMA}.fct_iac_checks: {n} IaC checks", flush=True)
    grant_readonly(target.dsn, role or DEFAULT_ROLE)
    print(f"read-only role {role or DEFAULT_ROLE}: SELECT on the marts", flush=True)
    return code


def cmd_sync(args: argparse.Namespace) -> int:
    try:
        return sync(args.url, args.role)
    except ValueError as exc:
        print(f"sibyl warehouse: {exc}", file=sys.stderr)
        return 2


def cmd_grant(args: argparse.Namespace) -> int:
    from ingest.pg_warehouse import grant_readonly, parse_target

    try:
        target = parse_target(args.url)
    except ValueError as exc:
        print(f"sibyl warehouse: {exc}", file=sys.stderr)
        return 2
    password = os.environ.get(args.password_env) if args.password_env else None
    grant_readonly(target.dsn, args.role, password=password)
    print(
        f"read-only role {args.role} on {target.redacted}: CONNECT, USAGE and SELECT on the marts"
    )
    return 0


def add_parser(sub: Any) -> None:
    w = sub.add_parser("warehouse", help="the marts on PostgreSQL too (docs/postgres.md)")
    wsub = w.add_subparsers(dest="action", required=True)
    url_help = "postgresql://user@host:port/db (password: SIBYL_PG_PASSWORD or ~/.pgpass)"
    sy = wsub.add_parser("sync", help="load the lake, build every model on Postgres, grant readers")
    sy.add_argument("--url", required=True, help=url_help)
    sy.add_argument("--role", help="read-only role to grant (default sibyl_analyst)")
    sy.set_defaults(func=cmd_sync)
    g = wsub.add_parser("grant-readonly", help="create or update the analysts' read-only role")
    g.add_argument("--url", required=True, help=url_help)
    g.add_argument("--role", default="sibyl_analyst")
    g.add_argument("--password-env", help="environment variable holding the role's login password")
    g.set_defaults(func=cmd_grant)
