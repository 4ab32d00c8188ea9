"""`make bench`: ingest -> FOCUS -> attributed fact on an N-row CUR, against focus-converter.

    python -m tests.bench.run_bench [--rows 10000000] [--months 1] [--converter-rows 1000000]
                                    [--out bench_results] [--skip-converter] [--memory-limit 4GB]
                                    [--period YYYY-MM] [--clone-months 12] [--reuse-landing]

1. Generates an N-row AWS CUR 2.0 export (parquet, map columns; with --clone-months K, one month
   of N/K rows copied to the K-1 months before it, tests/bench/clone.py) and the same rows as an
   Athena-style legacy CUR parquet (maps flattened into product_* / resource_tags_user_*
   columns), the schema the FinOps Foundation's focus-converter reads.
2. Times each step in its own process (wall seconds, peak RSS from wait4):
   ingest (validate + lake), dbt seed, dbt run +fct_charges (FOCUS charges, tags, attribution).
   Disk use of landing, lake, warehouse (with DuckDB's spill folder) and marts is reported.
   DuckDB's memory_limit (--memory-limit, ingest and dbt alike) bounds its buffers; past it, joins,
   sorts and aggregations spill to disk, so peak RSS stays bounded as rows grow.
   With --period (use --months 12): the one-month rebuild after the full build, as the Dagster
   sensor runs it (re-ingest that month, dbt run with SIBYL_BILLING_PERIODS), and its ratio to the
   full build; the fact totals must be unchanged by it.
3. Times `focus-converter==1.0.0` (own venv: multimethod<1.11, click<8.2) on the Athena-style
   file, limited to --converter-rows rows (it is row-rate bound), and prints the rows/s ratio.

Results go to <out>/bench.json and are printed. Not a test: numbers vary with the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.stages import disk_use, one_month_rebuild

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONVERTER_VENV = REPO / ".tools" / "focus-converter"

# Columns focus-converter's AWS plans read that the flattened CUR 2.0 does not carry.
CONVERTER_EXTRA_COLUMNS = {
    "pricing_rate_id": "varchar",
    "reservation_total_reserved_units": "varchar",
    "reservation_unused_amortized_upfront_fee_for_billing_period": "double",
    "product_purchase_option": "varchar",
    "product_region": "varchar",
    "product_code": "varchar",
    "reservation_reservation_arn": "varchar",
}


def run_measured(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> dict[str, float]:
    """Run a command; wall and CPU seconds, peak RSS (MB) of that process tree's largest process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    out = proc.stdout.read() if proc.stdout else b""  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"failed ({' '.join(cmd[:3])} ...):\n{out.decode(errors='replace')[-4000:]}"
        )
    return {
        "seconds": round(seconds, 2),
        # CPU seconds (user + system) say more than wall time on a shared machine
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def athena_style_copy(cur2_glob: str, out: Path, limit: int | None = None) -> int:
    """The CUR 2.0 rows as a legacy Athena-style CUR parquet (one file)."""
    import duckdb

    from ingest.sql import ident, literal

    con = duckdb.connect()
    con.execute("set memory_limit='1GB'")
    tag_keys = [
        r[0]
        for r in con.execute(
            "select distinct unnest(map_keys(resource_tags)) from read_parquet(?)", [cur2_glob]
        ).fetchall()
    ]
    # tag keys come from the file and name columns: quoted as a literal and as an identifier
    tags = ", ".join(
        f"resource_tags[{literal(k)}] as {ident('resource_tags_' + k.lower().replace('-', '_'))}"
        for k in tag_keys
        if k.lower().replace("-", "_") not in {"user_team"}
    )
    extras = ", ".join(f"cast(null as {t}) as {c}" for c, t in CONVERTER_EXTRA_COLUMNS.items())
    lim = f"limit {int(limit)}" if limit else ""
    # COPY ... TO takes no bind parameter: the glob and the target go through ingest.sql.literal
    con.execute(
        f"""copy (
            select * exclude (product, resource_tags, cost_category, discount),
                   product['product_name'] as product_product_name,
                   product['region'] as product_region_name,
                   resource_tags['user_team'] as resource_tags_user_team,
                   {tags + "," if tags else ""} {extras}
            from read_parquet({literal(cur2_glob)}) {lim}
        ) to {literal(str(out))} (format parquet, compression snappy, row_group_size 250000)"""
    )
    return int(con.execute("select count(*) from read_parquet(?)", [str(out)]).fetchone()[0])  # type: ignore[index]


def ensure_converter() -> Path:
    exe = CONVERTER_VENV / "bin" / "focus-converter"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CONVERTER_VENV)], check=True)
        subprocess.run(
            [
                str(CONVERTER_VENV / "bin" / "pip"),
                "install",
                "--quiet",
                "focus-converter==1.0.0",
                "multimethod<1.11",
                "click<8.2",
            ],
            check=True,
        )
    return exe


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--months", type=int, default=1)
    ap.add_argument("--converter-rows", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(REPO / "bench_results"))
    ap.add_argument("--skip-converter", action="store_true")
    ap.add_argument(
        "--memory-limit",
        default="4GB",
        help="DuckDB memory_limit for ingest and dbt (past it DuckDB spills to disk)",
    )
    ap.add_argument(
        "--period",
        help="YYYY-MM: also time re-ingesting and rebuilding this one month (incremental)",
    )
    ap.add_argument(
        "--clone-months",
        type=int,
        default=0,
        help="generate one month of rows/N line items and clone it to the N-1 months before "
        "(tests/bench/clone.py): a 100M-row landing in minutes instead of an hour",
    )
    ap.add_argument(
        "--reuse-landing",
        action="store_true",
        help="keep <out>/landing from a previous run instead of regenerating it",
    )
    args = ap.parse_args(argv)

    out = Path(args.out).resolve()
    reuse = args.reuse_landing and (out / "landing").exists()
    for p in out.glob("*") if out.exists() else []:
        if not (reuse and p.name == "landing"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    out.mkdir(parents=True, exist_ok=True)
    env = {
        "SIBYL_DUCKDB_MEMORY_LIMIT": args.memory_limit,
        "GX_ANALYTICS_ENABLED": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # one-period Parquet deliveries registered as delivered (ingest/lake.py)
        "SIBYL_LAKE_ZERO_COPY": os.environ.get("SIBYL_LAKE_ZERO_COPY", "1"),
    }
    results: dict[str, object] = {
        "rows_requested": args.rows,
        "months": args.months,
        "duckdb_memory_limit": args.memory_limit,
        "cores": os.cpu_count(),
        "date": dt.date.today().isoformat(),
    }

    t0 = time.perf_counter()
    if reuse:
        import duckdb

        con = duckdb.connect()
        rows = int(
            con.execute(
                "select count(*) from read_parquet(?)",
                [f"{out}/landing/aws/cur2/*/data/*/*.parquet"],
            ).fetchone()[0]
        )  # type: ignore[index]
        con.close()
        print(f"reusing {rows:,} CUR rows in {out / 'landing'}", flush=True)
    else:
        print(f"generating an AWS CUR 2.0 of ~{args.rows:,} line items ...", flush=True)
        from ingest.samples import generate

        clones = max(0, args.clone_months - 1)
        summary = generate(
            out / "landing",
            end_date=dt.date(2026, 10, 31),
            months=1 if clones else args.months,
            aws_rows=args.rows // (clones + 1),
            providers=("aws",),
        )
        rows = summary.rows["aws"]
        if clones:
            from tests.bench.clone import clone_period, earlier_periods

            for period in earlier_periods("2026-10", clones):
                rows += clone_period(out / "landing" / "aws" / "cur2", "2026-10", period)
                print(f"  cloned 2026-10 to {period}", flush=True)
        results["generate_seconds"] = round(time.perf_counter() - t0, 1)
        print(f"  {rows:,} rows in {results['generate_seconds']}s", flush=True)
    results["cur_rows"] = rows

    steps: dict[str, dict[str, float]] = {}
    results["steps"] = steps

    def save() -> None:  # after every step, so a failure late in the run keeps the numbers
        (out / "bench.json").write_text(json.dumps(results, indent=1))

    lake, wh = out / "lake", out / "warehouse.duckdb"
    dbt_env = {**env, "SIBYL_LAKE_ROOT": str(lake), "SIBYL_WAREHOUSE": str(wh)}
    dbt = [str(BIN / "dbt"), "--quiet"]
    dbt_dirs = [
        "--project-dir",
        str(REPO / "dbt_project"),
        "--profiles-dir",
        str(REPO / "dbt_project"),
        "--target-path",
        str(out / "dbt_target"),
    ]
    ingest_cmd = [
        str(BIN / "sibyl"),
        "ingest",
        "--landing",
        str(out / "landing"),
        "--lake",
        str(lake),
    ]
    print("ingest (discover, great-expectations validation, lake write) ...", flush=True)
    steps["ingest"] = run_measured(ingest_cmd, env)
    save()
    steps["dbt_seed"] = run_measured(dbt + ["seed", *dbt_dirs], dbt_env)
    print("dbt: staging -> FOCUS charges -> tags -> attribution (fct_charges) ...", flush=True)
    steps["focus_attributed_fact"] = run_measured(
        dbt + ["run", "--select", "+fct_charges", *dbt_dirs], dbt_env
    )
    save()
    steps["daily_marts"] = run_measured(
        dbt + ["run", "--exclude", "+fct_charges", *dbt_dirs], dbt_env
    )
    from orchestration.lib.publish import publish_marts
    from tests.bench.cockpit_bench import bench as cockpit_bench

    publish_marts(str(wh), str(out / "marts"))
    results["disk_mb"] = disk_use(out)
    print("cockpit pages on the published marts (Streamlit AppTest, 3 runs each) ...", flush=True)
    results["cockpit_page_seconds"] = cockpit_bench(str(out / "marts"), runs=3)
    save()
    for s in steps.values():
        s["rows_per_second"] = round(rows / s["seconds"]) if s["seconds"] else 0
    core = ("ingest", "focus_attributed_fact")
    total = sum(steps[s]["seconds"] for s in core)
    results["ingest_to_attributed_fact"] = {
        "seconds": round(total, 2),
        "rows_per_second": round(rows / total),
        "peak_rss_mb": max(steps[s]["peak_rss_mb"] for s in core),
    }

    if args.period:
        full = ("ingest", "dbt_seed", "focus_attributed_fact", "daily_marts")
        results["incremental"] = one_month_rebuild(
            args.period,
            sum(steps[s]["seconds"] for s in full),
            sum(steps[s]["cpu_seconds"] for s in full),
            ingest_cmd,
            dbt + ["run", *dbt_dirs],
            env,
            dbt_env,
            wh,
        )
        save()

    if not args.skip_converter:
        n_conv = min(args.converter_rows, rows)
        print(
            f"focus-converter 1.0.0 on {n_conv:,} rows of the same CUR (Athena-style parquet) ...",
            flush=True,
        )
        athena = out / "athena" / "cur_athena.parquet"
        athena.parent.mkdir()
        athena_style_copy(f"{out}/landing/aws/cur2/*/data/*/*.parquet", athena, n_conv)
        exe = ensure_converter()
        # focus-converter never exits when a plan fails (its writer processes wait forever)
        conv = run_measured(
            [
                "timeout",
                "3600",
                str(exe),
                "convert",
                "--provider",
                "aws",
                "--data-path",
                str(athena),
                "--data-format",
                "parquet",
                "--parquet-data-format",
                "file",
                "--export-path",
                str(out / "converter_out"),
            ]
        )
        conv["rows"] = n_conv
        conv["rows_per_second"] = round(n_conv / conv["seconds"])
        results["focus_converter"] = conv
        save()
        # Sibyl on the very same Athena-style file, for an apples-to-apples rate
        same_landing, same_lake, same_wh = (
            out / "same_landing",
            out / "same_lake",
            out / "same.duckdb",
        )
        same_landing.mkdir()
        shutil.copy2(athena, same_landing / "cur_athena.parquet")
        same_env = {**env, "SIBYL_LAKE_ROOT": str(same_lake), "SIBYL_WAREHOUSE": str(same_wh)}
        a = run_measured(
            [
                str(BIN / "sibyl"),
                "ingest",
                "--landing",
                str(same_landing),
                "--lake",
                str(same_lake),
            ],
            env,
        )
        run_measured(dbt + ["seed", *dbt_dirs], same_env)
        b = run_measured(dbt + ["run", "--select", "+fct_charges", *dbt_dirs], same_env)
        same = {
            "rows": n_conv,
            "seconds": round(a["seconds"] + b["seconds"], 2),
            "peak_rss_mb": max(a["peak_rss_mb"], b["peak_rss_mb"]),
        }
        same["rows_per_second"] = round(n_conv / same["seconds"])
        results["sibyl_on_same_file"] = same
        results["speedup_vs_focus_converter"] = round(
            same["rows_per_second"] / conv["rows_per_second"], 1
        )

    (out / "bench.json").write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
