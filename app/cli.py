"""The `sibyl` command line. Imports are local to each command so that light commands stay fast.

sibyl generate [--out DIR] [--months 13] [--end-date YYYY-MM-DD] [--seed 42] [--aws-rows N]
sibyl ingest   [--landing URL] [--lake URL] [--provider aws] [--period YYYY-MM] [--prune]
                                          exit 0 all loaded, 1 some quarantined, 2 usage/root
sibyl run      --landing DIR|URL [--data-dir DIR] [--config-dir DIR]   your own exports, end to end
sibyl config   init|check DIR             the configuration files you fill in
sibyl demo     [--months 13] [--fresh]   generate + materialize everything + summary
sibyl summary                             print the summary of the published marts
sibyl gate PATH [--env ENV] [--policies DIR] [--usage FILE] [--format table|json|markdown|sarif]
                                          price a Terraform change and apply cost policies
sibyl budget status [--scope team:payments] [--format table|json]   exit 1 when a breaker is open
sibyl budget override --scope team:payments --until 2026-12-01 --by NAME [--note TEXT]
sibyl budget check --scope agent:NAME --estimate-cost 0.50   JSON; exit 0 allowed, 1 blocked
sibyl anomalies list [--status open] [--limit 20]
sibyl anomalies ack|resolve|reopen EVENT_ID --by NAME [--note TEXT]
sibyl users add NAME --role finance|engineering|executive|admin [--teams a,b] [--password-stdin]
sibyl users list | remove NAME            the cockpit's local users (argon2-hashed passwords)
sibyl report --month YYYY-MM [--team X] [--announce]   monthly statements (CSV, HTML, PDF)
sibyl mcp [--user NAME | --role ROLE [--teams a,b]] [--gate-root DIR]   MCP server on stdio
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path


def _settings():  # type: ignore[no-untyped-def]
    from orchestration.settings import Settings

    return Settings.from_env()


def cmd_generate(args: argparse.Namespace) -> int:
    from ingest.samples import generate

    s = _settings()
    out = Path(args.out or s.landing_root)
    t0 = time.perf_counter()
    summary = generate(
        out,
        end_date=dt.date.fromisoformat(args.end_date) if args.end_date else None,
        months=args.months,
        seed=args.seed,
        aws_rows=args.aws_rows,
        providers=tuple(args.providers.split(",")),
        gcp_format=args.gcp_format,
    )
    if "aws" in args.providers.split(","):  # CloudWatch metrics for the demo's instances/volumes
        from ingest.samples.metrics import generate_metrics

        end = dt.date.fromisoformat(args.end_date) if args.end_date else None
        generate_metrics(out, end or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1))
    print(f"wrote sample exports to {out} in {time.perf_counter() - t0:.1f}s")
    for p, n in summary.rows.items():
        print(f"  {p:6} {n:>10,} rows in {summary.files[p]} file(s)")
    print(
        f"  periods {summary.periods[0]} .. {summary.periods[-1]}; "
        f"{len(summary.anomalies)} injected anomalies in {out / '_meta' / 'anomalies.json'}"
    )
    return 0


def _materialize_all(periods: list[str]) -> None:
    """Run the ingest job over the period range, then dbt + publish, in this process."""
    import dagster as dg

    from orchestration.definitions import defs as load_defs
    from orchestration.defs.partitions import register_periods

    defs = load_defs()
    instance = dg.DagsterInstance.get()
    register_periods(instance, periods)  # the partitions are the periods that have data
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    print(
        f"   ingest {periods[0]} .. {periods[-1]} (validate every file, write the lake) ...",
        flush=True,
    )
    ingest_job = defs.resolve_job_def("ingest_exports")
    result = ingest_job.execute_in_process(
        instance=instance,
        run_config=quiet,
        tags={
            "dagster/asset_partition_range_start": f"{periods[0]}-01",
            "dagster/asset_partition_range_end": f"{periods[-1]}-01",
        },
    )
    if not result.success:
        raise SystemExit("ingest failed (see the log above)")
    _run_job(defs, instance, quiet, "ai_ingest", "AI usage (OpenAI, Anthropic, LiteLLM, OTLP)")
    print(
        "   dbt build (staging -> FOCUS -> attribution -> marts, with tests) and publish ...",
        flush=True,
    )
    result = defs.resolve_job_def("transform_marts").execute_in_process(
        instance=instance, run_config=quiet
    )
    if not result.success:
        raise SystemExit("dbt build / publish failed (see the log above)")
    _run_job(defs, instance, quiet, "ai_publish", "AI spend marts")
    print("   anomalies, forecasts, budgets -> ML marts -> notifications ...", flush=True)
    result = defs.resolve_job_def("ml_daily").execute_in_process(
        instance=instance, run_config=quiet
    )
    if not result.success:
        raise SystemExit("ML assets failed (see the log above)")
    print("   utilization metrics, savings opportunities, purchase recommendations ...", flush=True)
    result = defs.resolve_job_def("savings_weekly").execute_in_process(
        instance=instance, run_config=quiet
    )
    if not result.success:
        raise SystemExit("savings assets failed (see the log above)")


def _run_job(defs, instance, run_config, name: str, what: str) -> None:  # type: ignore[no-untyped-def]
    print(f"   {what} ...", flush=True)
    if (
        not defs.resolve_job_def(name)
        .execute_in_process(instance=instance, run_config=run_config)
        .success
    ):
        raise SystemExit(f"{name} failed (see the log above)")


def _demo_ai_files(s, end: dt.date) -> None:  # type: ignore[no-untyped-def]
    """Sample AI usage next to the billing exports: two providers and a gateway (issue 14)."""
    from ingest.samples.ai import generate_ai

    if "://" not in s.landing_root:
        truth = generate_ai(Path(s.landing_root), end, days=60)
        print(f"   AI usage: {truth['calls']:,} calls; runaway loop {truth['runaway']}")


def dagster_home(s) -> None:  # type: ignore[no-untyped-def]
    """An instance folder for in-process Dagster runs (next to the data dir)."""
    import shutil

    os.environ.setdefault("DAGSTER_HOME", str(Path(s.data_dir).parent / ".dagster_home"))
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(Path(__file__).resolve().parents[1] / "dagster.yaml", home / "dagster.yaml")


def cmd_demo(args: argparse.Namespace) -> int:
    import shutil

    s = _settings()
    dagster_home(s)
    t0 = time.perf_counter()
    if args.fresh:
        for p in (s.landing_root, s.lake_root, s.marts_dir):
            if "://" not in p:
                shutil.rmtree(p, ignore_errors=True)
        Path(s.warehouse_path).unlink(missing_ok=True)
    print("== 1/3 generating sample exports (AWS CUR 2.0, GCP billing export, Azure EA) ==")
    gen = argparse.Namespace(
        out=None,
        end_date=args.end_date,
        months=args.months,
        seed=42,
        aws_rows=None,
        providers="aws,gcp,azure",
        gcp_format="parquet",
    )
    cmd_generate(gen)
    from ingest.samples.common import months_ending

    end = (
        dt.date.fromisoformat(args.end_date)
        if args.end_date
        else dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    )
    periods = [m.key for m in months_ending(end, args.months)]
    _demo_ai_files(s, end)
    print("== 2/3 materializing every asset with Dagster (ingest -> dbt -> published marts) ==")
    _materialize_all(periods)
    _demo_extras(s)
    print(f"== 3/3 summary (pipeline done in {time.perf_counter() - t0:.0f}s) ==")
    return cmd_summary(args)


def _demo_extras(s) -> None:  # type: ignore[no-untyped-def]
    """The IaC gate on the example plans (one blocked) and the demo cockpit users."""
    import dagster as dg

    from app import gate_examples
    from app.demo_users import ensure_demo_users
    from app.users_cli import users_file
    from orchestration.definitions import defs as load_defs

    print(
        "   IaC cost gate on examples/iac_plans (the ci_plan_files sensor's plans) ...", flush=True
    )
    decisions = gate_examples.run(load_defs(), dg.DagsterInstance.get(), s.ci_artifacts_root)
    for key, decision in decisions.items():
        print(f"     {decision:6} {key}")
    print(
        "     (the DagsterAssetCheckFailedError above is the blocked plan failing its check, as in CI)"
    )
    print(f"   cockpit users ({users_file()}):")
    for name, password, role, teams in ensure_demo_users(users_file()):
        print(f"     {name:14} password {password:16} {role:12} {teams}")


def cmd_summary(args: argparse.Namespace) -> int:
    from app.summary import render_summary

    print(render_summary(_settings()))
    return 0


def cmd_budget(args: argparse.Namespace) -> int:
    if args.action == "check":
        from app.ai_budget_cli import budget_check

        return budget_check(args.scope, args.estimate_cost)
    from app.budget_cli import budget_override, budget_status

    s = _settings()
    if args.action == "override":
        return budget_override(s, args.scope, args.until, args.by, args.note or "")
    return budget_status(s, args.scope, args.format)


def cmd_anomalies(args: argparse.Namespace) -> int:
    from app.budget_cli import anomalies_list, anomaly_set_status

    s = _settings()
    if args.action == "list":
        return anomalies_list(s, args.status, args.limit)
    status = {"ack": "acknowledged", "resolve": "resolved", "reopen": "open"}[args.action]
    return anomaly_set_status(s, args.event_id, status, args.by, args.note or "")


def cmd_report(args: argparse.Namespace) -> int:
    from app.cockpit.queries import MartMissing
    from app.statements.data import StatementError
    from app.statements.run import announce, build_month, reports_dir

    s = _settings()
    try:
        index = build_month(s.marts_dir, args.out or reports_dir(s.data_dir), args.month, args.team)
    except (StatementError, MartMissing) as e:
        print(f"sibyl report: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(index['statements'])} statement(s) to {index['folder']}")
    for row in index["statements"]:
        print(f"  {row['kind']:13} {row['key'][:40]:40} {row['total']:>16} {row['currency']}")
    if args.announce:
        print(f"announced: {announce(s.lake_root, s.webhooks_file, index)}")
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    from app.mcp_server import caller_from, serve
    from app.mcp_tools import Context, ToolInputError

    s = _settings()
    users = os.environ.get("SIBYL_USERS_FILE") or str(Path(s.data_dir) / "users.json")
    try:
        caller = caller_from(users, args.user, args.role, args.teams)
    except ToolInputError as e:
        print(f"sibyl mcp: {e}", file=sys.stderr)
        return 2
    serve(Context(s.marts_dir, s.lake_root, caller, args.gate_root))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["gate"]:  # the CI path: only iac_gate is imported
        from iac_gate.cli import main as gate_main

        return gate_main(argv[1:])
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    parser = argparse.ArgumentParser(prog="sibyl", description="Sibyl FinOps lakehouse")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write deterministic sample billing exports")
    g.add_argument("--out", help="output folder (default: the landing root)")
    g.add_argument("--months", type=int, default=13)
    g.add_argument("--end-date", help="last day of data, YYYY-MM-DD (default: yesterday)")
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--aws-rows", type=int, help="size the AWS CUR to about N line items")
    g.add_argument("--providers", default="aws,gcp,azure", help="any of aws,gcp,azure,oci")
    g.add_argument("--gcp-format", choices=["parquet", "jsonl"], default="parquet")
    g.set_defaults(func=cmd_generate)

    from app.pipeline_cli import register

    register(sub)  # ingest, run, config

    d = sub.add_parser("demo", help="generate samples, materialize everything, print a summary")
    d.add_argument("--months", type=int, default=13)
    d.add_argument("--end-date", help="last day of data (default: yesterday)")
    d.add_argument(
        "--fresh", action="store_true", help="delete landing, lake, marts, warehouse first"
    )
    d.set_defaults(func=cmd_demo)

    sm = sub.add_parser("summary", help="print the summary of the published marts")
    sm.set_defaults(func=cmd_summary)
    b = sub.add_parser(
        "budget", help="budget status and circuit breakers (exit 1 when a breaker is open)"
    )
    bsub = b.add_subparsers(dest="action", required=True)
    bs = bsub.add_parser("status", help="budget status per scope, latest day")
    bs.add_argument("--scope", help="scope_type:value (team:payments) or budget:<id>; default all")
    bs.add_argument("--format", choices=["table", "json"], default="table")
    bo = bsub.add_parser(
        "override", help="let a tripped scope keep spending until a time (half-open)"
    )
    bo.add_argument("--scope", required=True, help="team:payments or budget:<id>")
    bo.add_argument("--until", required=True, help="YYYY-MM-DD or ISO timestamp (UTC)")
    bo.add_argument("--by", required=True, help="who decides")
    bo.add_argument("--note")
    bc = bsub.add_parser("check", help="may an AI request of this cost go ahead? (JSON; exit 1 no)")
    bc.add_argument(
        "--scope", required=True, help="agent:NAME, session:ID, api_key:ID, model:M, ..."
    )
    bc.add_argument("--estimate-cost", required=True, help="the request's estimated cost")
    b.set_defaults(func=cmd_budget)

    a = sub.add_parser("anomalies", help="list cost anomaly events, acknowledge or resolve them")
    asub = a.add_subparsers(dest="action", required=True)
    al = asub.add_parser("list")
    al.add_argument("--status", choices=["open", "acknowledged", "resolved", "all"], default="open")
    al.add_argument("--limit", type=int, default=20)
    for name in ("ack", "resolve", "reopen"):
        ap = asub.add_parser(name)
        ap.add_argument("event_id")
        ap.add_argument("--by", required=True)
        ap.add_argument("--note")
    a.set_defaults(func=cmd_anomalies)

    from app.users_cli import add_parser as add_users_parser

    add_users_parser(sub)
    from app.savings_cli import add_parser as add_savings_parser
    from app.warehouse_cli import add_parser as add_warehouse_parser

    add_savings_parser(sub)
    add_warehouse_parser(sub)

    rp = sub.add_parser("report", help="monthly statements per team and business unit")
    rp.add_argument("--month", required=True, help="billing month YYYY-MM")
    rp.add_argument("--team", help="only this team (and its business unit)")
    rp.add_argument("--out", help="reports folder (default <data>/reports)")
    rp.add_argument("--announce", action="store_true", help="send the webhook announcement")
    rp.set_defaults(func=cmd_report)

    mc = sub.add_parser("mcp", help="Model Context Protocol server for agents, on stdio")
    mc.add_argument("--user", help="act as this cockpit user (its role and teams)")
    mc.add_argument("--role", help="or act with this role: finance|engineering|executive|admin")
    mc.add_argument("--teams", help="the engineering role's teams, comma-separated")
    mc.add_argument("--gate-root", default=".", help="folder price_terraform may read (default .)")
    mc.set_defaults(func=cmd_mcp)

    sub.add_parser(
        "gate",
        help="price a Terraform plan or .tf folder and apply cost policies "
        "(see `sibyl gate --help`)",
    )

    args = parser.parse_args(argv)
    return int(args.func(args))


def entrypoint() -> None:
    """Console script: run, flush, and leave without interpreter finalization, where DuckDB
    2.0's bindings print spurious 'nanobind: leaked ...' lines on every exit."""
    try:
        code = main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    if "joblib" in sys.modules:  # stop the ML worker processes before leaving without finalization
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entrypoint()
