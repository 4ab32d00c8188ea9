"""Bench stages beyond the core run: disk use, and the one-month incremental rebuild."""

from __future__ import annotations

from pathlib import Path

from orchestration.lib.sensing import dbt_build_env


def disk_use(out: Path) -> dict[str, float]:
    """MB on disk of each bench folder (the warehouse with DuckDB's spill folder next to it)."""

    def mb(*paths: Path) -> float:
        total = 0
        for p in paths:
            if p.is_file():
                total += p.stat().st_size
            elif p.is_dir():
                total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
        return round(total / 1e6, 1)

    wh = out / "warehouse.duckdb"
    return {
        "landing": mb(out / "landing"),
        "lake": mb(out / "lake"),
        "warehouse": mb(wh, out / "warehouse.duckdb.wal", out / "warehouse.duckdb.tmp"),
        "marts": mb(out / "marts"),
    }


def fact_totals(wh: Path) -> list[tuple[object, ...]]:
    """Rows and money per billing period of the fact and the allocated fact (the bench's check)."""
    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(
            """select 'fct_charges', billing_period, count(*), sum(billed_cost), sum(effective_cost)
               from marts.fct_charges group by all
               union all
               select 'fct_charges_allocated', billing_period, count(*), sum(billed_cost),
                      sum(effective_cost)
               from marts.fct_charges_allocated group by all
               union all
               select 'fct_daily_costs', billing_period, sum(charge_count), sum(billed_cost),
                      sum(effective_cost)
               from marts.fct_daily_costs group by all
               order by all"""
        ).fetchall()
    finally:
        con.close()


def one_month_rebuild(
    period: str,
    full_seconds: float,
    full_cpu_seconds: float,
    ingest_cmd: list[str],
    dbt_run: list[str],
    env: dict[str, str],
    dbt_env: dict[str, str],
    wh: Path,
) -> dict[str, object]:
    """Re-ingest one billing period and rebuild it alone (what the sensor runs: the periods in
    SIBYL_BILLING_PERIODS, orchestration/lib/sensing.py, so dbt's partial parse holds)."""
    before = fact_totals(wh)
    print(f"one-month rebuild of {period} (re-ingest + incremental dbt run) ...", flush=True)
    from tests.bench.run_bench import run_measured

    ing = run_measured([*ingest_cmd, "--period", period], env)
    run = run_measured(dbt_run, {**dbt_env, **dbt_build_env([period])})
    after = fact_totals(wh)
    if after != before:
        raise SystemExit(f"the one-month rebuild of {period} changed the fact totals")
    seconds = round(ing["seconds"] + run["seconds"], 2)
    cpu = round(ing["cpu_seconds"] + run["cpu_seconds"], 2)
    return {
        "period": period,
        "ingest": ing,
        "dbt_run": run,
        "seconds": seconds,
        "full_build_seconds": round(full_seconds, 2),
        "ratio_to_full_build": round(seconds / full_seconds, 3),
        # on a shared machine wall time follows the load; CPU seconds compare runs
        "cpu_seconds": cpu,
        "full_build_cpu_seconds": round(full_cpu_seconds, 2),
        "ratio_to_full_build_cpu": round(cpu / full_cpu_seconds, 3),
        "totals_unchanged": True,
    }
