"""`sibyl ingest`, `sibyl run` and `sibyl config`: the commands a user runs on their own exports.

sibyl ingest [--landing DIR|URL] [--lake DIR|URL] [--provider P] [--period YYYY-MM] [--prune]
    exit 0: every data file loaded; 1: some files quarantined (the rest loaded);
    2: bad usage or an unreachable landing root (one line on stderr, credentials redacted)
sibyl run --landing DIR|URL [--data-dir DIR] [--config-dir DIR]
    ingest, dbt build, publish the marts, run the ML job — for the user's data
sibyl config init DIR | sibyl config check DIR
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path
from typing import Any

from app.allocation_rules import COLUMNS as ALLOCATION_COLUMNS
from app.allocation_rules import check_allocation
from ingest.providers import SOURCES

# The configuration a user fills in: file -> (columns, what it is for); the columns are the dbt
# seeds'. Empty files are valid: charges are then attributed by account owner or left
# unallocated, never by the demo's organisation.
CONFIG_FILES: dict[str, tuple[tuple[str, ...], str]] = {
    "teams.csv": (
        ("team_id", "team_name", "business_unit_id", "owner_email", "cost_center"),
        "teams and their business unit",
    ),
    "business_units.csv": (
        ("business_unit_id", "business_unit_name", "business_group_id"),
        "business units and their business group",
    ),
    "business_groups.csv": (("business_group_id", "business_group_name"), "business groups"),
    "service_catalog.csv": (
        ("provider", "service_name", "team_id", "note"),
        "which team owns a provider service (attribution rule 2)",
    ),
    "account_owners.csv": (
        ("provider", "account_id", "account_name", "default_team_id", "environment"),
        "default team of an account/project/subscription (attribution rule 3)",
    ),
    "required_tags.csv": (("tag_key", "description"), "tags every resource must carry"),
    "tag_key_aliases.csv": (
        ("normalized_key", "canonical_key"),
        "tag key spellings that mean the same key (squad -> team)",
    ),
    "tag_value_aliases.csv": (
        ("canonical_key", "normalized_value", "canonical_value"),
        "tag value spellings that mean the same value (prd -> prod)",
    ),
    "budgets.csv": (
        (
            "budget_id",
            "scope_type",
            "scope_value",
            "amount",
            "currency",
            "period",
            "alert_thresholds",
            "breaker_basis",
            "breaker_trip_pct",
            "breaker_min_period_left_pct",
            "owners",
            "channels",
        ),
        "budgets per scope and month",
    ),
    "allocation_rules.csv": (
        ALLOCATION_COLUMNS["allocation_rules.csv"],
        "shared-cost allocation rules, applied in rule_order (docs/allocation.md)",
    ),
    "allocation_shares.csv": (
        ALLOCATION_COLUMNS["allocation_shares.csv"],
        "teams (and fixed shares) of the fixed and even allocation rules",
    ),
    "allocation_usage.csv": (
        ALLOCATION_COLUMNS["allocation_usage.csv"],
        "usage metric per team and billing period for usage-driven allocation rules",
    ),
    "billing_sources.csv": (
        ("provider", "billing_account_id", "authoritative_source"),
        "which export is authoritative when a billing account arrives both natively and as "
        "FOCUS (authoritative_source: the provider name or focus; billing_account_id * = all)",
    ),
}


def _fail(message: str) -> int:
    from ingest.fs import redact

    print(f"sibyl: error: {redact(message)}", file=sys.stderr)
    return 2


def cmd_ingest(args: argparse.Namespace) -> int:
    from ingest.fs import RootError
    from ingest.pipeline import ingest
    from orchestration.settings import Settings

    s = Settings.from_env()
    try:
        report = ingest(
            args.landing or s.landing_root,
            args.lake or s.lake_root,
            providers=args.provider or None,
            periods=args.period or None,
            progress=print,
            duckdb_memory_limit=s.duckdb_memory_limit,
            prune=args.prune,
        )
    except RootError as exc:
        return _fail(str(exc))
    except (OSError, ValueError) as exc:
        return _fail(f"{type(exc).__name__}: {str(exc)[:200]}")
    for f in report.quarantined:
        print(f"QUARANTINED {f.rel}: {f.reason}")
    return 1 if report.quarantined else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Ingest the user's exports, build dbt, publish the marts and run the ML job; with
    --warehouse, then load the lake (ML outputs included) into Postgres and build there too."""
    if args.warehouse:
        from ingest.pg_warehouse import parse_target

        try:
            parse_target(args.warehouse)  # a bad URL fails before an hour of work, not after
        except ValueError as exc:
            return _fail(str(exc))
    if args.data_dir:
        from orchestration.settings import path_or_url

        # a bucket URL (docs/remote_storage.md) is kept as given
        os.environ["SIBYL_DATA_DIR"] = path_or_url(args.data_dir)
        for key in ("SIBYL_LAKE_ROOT", "SIBYL_WAREHOUSE", "SIBYL_MARTS_DIR"):
            os.environ.pop(key, None)  # derived from the data dir
    from orchestration.settings import Settings

    # the user's configuration, or an empty one in <data dir>/config: never the demo's
    config = Path(args.config_dir or Path(Settings.from_env().data_dir) / "config").expanduser()
    if not args.config_dir:
        init_config(config)
    problems = check_config(config)
    if problems:
        return _fail(f"configuration {config}: {problems[0]}")
    init_config(config)  # files the user left out are added empty (header only)
    os.environ["SIBYL_CONFIG_DIR"] = str(config.resolve())
    os.environ["SIBYL_LANDING_ROOT"] = args.landing
    code = cmd_ingest(
        argparse.Namespace(landing=args.landing, lake=None, provider=None, period=None, prune=False)
    )
    if code == 2:
        return code
    from app.cli import _settings, dagster_home

    s = _settings()
    dagster_home(s)
    import dagster as dg

    from ingest.pipeline import load_catalog
    from orchestration.definitions import defs as load_defs
    from orchestration.defs.partitions import register_periods

    defs = load_defs()
    instance = dg.DagsterInstance.get()
    # the billing periods just ingested become the ingest assets' partitions in the UI
    files = load_catalog(s.lake_root).get("files", {})
    register_periods(instance, {str(p) for f in files.values() for p in f.get("periods") or []})
    quiet: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    jobs = (
        ("ai_ingest", "AI usage (<landing>/ai/, docs/ai_spend.md)"),
        ("transform_marts", "dbt build + publish"),
        ("ai_publish", "AI spend marts"),
        ("ml_daily", "ML"),
        ("savings_weekly", "savings (<landing>/metrics/, docs/savings.md)"),
    )
    for job, what in jobs:
        print(f"== {what} ==", flush=True)
        result = defs.resolve_job_def(job).execute_in_process(instance=instance, run_config=quiet)
        if not result.success:
            return _fail(f"{what} failed (see the log above)")
    from app.summary import render_summary

    print(render_summary(s))
    if args.warehouse:
        from app.warehouse_cli import sync

        if sync(args.warehouse) != 0:
            return _fail("the Postgres warehouse build failed (see the log above)")
    return code


def init_config(folder: Path) -> list[Path]:
    """Write empty configuration files (header only) and a README explaining each."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    lines = [
        "# Sibyl configuration",
        "",
        "Fill these CSV files in (keep the header line). Empty files are valid: charges are then",
        "attributed by account owner or left `unallocated`. Check them with",
        f"`sibyl config check {folder}`; use them with `sibyl run --config-dir {folder}`.",
        "",
    ]
    for name, (columns, what) in CONFIG_FILES.items():
        path = folder / name
        if not path.exists():
            with path.open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerow(columns)
            written.append(path)
        lines.append(f"- `{name}` ({', '.join(columns)}): {what}")
    readme = folder / "README.md"
    if not readme.exists():
        readme.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def check_config(folder: Path) -> list[str]:
    """Problems of a configuration folder (empty list: usable)."""
    if not folder.is_dir():
        return [f"{folder} is not a folder (create one with `sibyl config init`)"]
    problems = []
    for name, (columns, _) in CONFIG_FILES.items():
        path = folder / name
        if not path.exists() or name in ALLOCATION_COLUMNS:  # allocation: check_allocation
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            if tuple(h.strip() for h in header) != columns:
                problems.append(f"{name}: header must be {','.join(columns)}")
                continue
            for n, row in enumerate(reader, start=2):
                if row and len(row) != len(columns):
                    problems.append(f"{name} line {n}: {len(row)} fields, expected {len(columns)}")
                    break
                if name == "billing_sources.csv" and row and row[2] not in SOURCES:
                    problems.append(
                        f"{name} line {n}: authoritative_source must be one of {', '.join(SOURCES)}"
                    )
                    break
    return problems + check_allocation(folder)


def cmd_config(args: argparse.Namespace) -> int:
    folder = Path(args.dir).expanduser()
    if args.action == "init":
        written = init_config(folder)
        print(f"wrote {len(written)} configuration file(s) to {folder} (see README.md there)")
        return 0
    problems = check_config(folder)
    for p in problems:
        print(f"PROBLEM {p}")
    if not problems:
        print(f"{folder}: configuration is usable")
    return 1 if problems else 0


def register(sub: Any) -> None:
    """Add ingest, run and config to the `sibyl` parser."""
    i = sub.add_parser(
        "ingest",
        help="ingest exports from the landing root into the lake "
        "(exit 0 all loaded, 1 some quarantined, 2 bad usage / unreachable root)",
    )
    i.add_argument("--landing", help="local folder or s3:// gs:// abfs:// URL")
    i.add_argument("--lake", help="lake root (local folder or URL)")
    i.add_argument("--provider", action="append", choices=list(SOURCES))
    i.add_argument("--period", action="append", help="billing period YYYY-MM (repeatable)")
    i.add_argument(
        "--prune",
        action="store_true",
        help="remove lake partitions whose landing files are gone (orphans are always reported)",
    )
    i.set_defaults(func=cmd_ingest)

    r = sub.add_parser(
        "run", help="your own exports: ingest, dbt build, publish the marts, run the ML job"
    )
    r.add_argument("--landing", required=True, help="folder or URL with your exports")
    r.add_argument("--data-dir", help="where the lake, warehouse and marts go (SIBYL_DATA_DIR)")
    r.add_argument("--config-dir", help="your configuration (see `sibyl config init`)")
    r.add_argument(
        "--warehouse",
        help="also build every model on this PostgreSQL server (postgresql://user@host:port/db; "
        "password in SIBYL_PG_PASSWORD), see docs/postgres.md",
    )
    r.set_defaults(func=cmd_run)

    c = sub.add_parser("config", help="write or check the configuration files you fill in")
    c.add_argument("action", choices=["init", "check"])
    c.add_argument("dir")
    c.set_defaults(func=cmd_config)
