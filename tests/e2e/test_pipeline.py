"""The Dagster pipeline on generated exports: ingest (partitioned) -> dbt -> published marts,
the reconciliation check, the injected anomalies, an idempotent partition re-run, the sensor."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from tests.conftest import env_vars

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, sample_landing):
    root = tmp_path_factory.mktemp("pipeline")
    env = {
        "SIBYL_LANDING_ROOT": str(sample_landing),
        "SIBYL_LAKE_ROOT": str(root / "lake"),
        "SIBYL_WAREHOUSE": str(root / "warehouse.duckdb"),
        "SIBYL_MARTS_DIR": str(root / "marts"),
    }
    with env_vars(env):
        from orchestration.definitions import defs as load_defs

        defs = load_defs()
        instance = dg.DagsterInstance.ephemeral()
        from orchestration.defs.partitions import register_periods

        register_periods(instance, ["2026-08", "2026-09", "2026-10"])
        ingest_result = defs.resolve_job_def("ingest_exports").execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": "2026-08-01",
                "dagster/asset_partition_range_end": "2026-10-01",
            },
        )
        transform = defs.resolve_job_def("transform_marts").execute_in_process(instance=instance)
        yield {
            "root": root,
            "defs": defs,
            "instance": instance,
            "ingest": ingest_result,
            "transform": transform,
            "landing": sample_landing,
        }


def test_runs_succeed_and_report_numbers(pipeline):
    assert pipeline["ingest"].success and pipeline["transform"].success
    mats = pipeline["ingest"].asset_materializations_for_node("lake__raw_aws_billing")
    meta = mats[0].metadata
    assert meta["files_loaded"].value == 3 and meta["files_quarantined"].value == 0
    assert meta["rows"].value > 1000


def test_reconciliation_check_passes(pipeline):
    evals = pipeline["transform"].get_asset_check_evaluations()
    recon = [e for e in evals if e.check_name == "billed_cost_reconciles"]
    assert recon and recon[0].passed
    assert recon[0].metadata["partitions_checked"].value == 9  # 3 providers x 3 periods
    dbt_checks = [e for e in evals if e.check_name != "billed_cost_reconciles"]
    assert dbt_checks and all(e.passed for e in dbt_checks)


def test_published_marts_are_readable_without_the_warehouse(pipeline):
    marts = pipeline["root"] / "marts"
    con = duckdb.connect()
    n_ok, n = con.execute(
        f"select count(*) filter (where is_reconciled), count(*) from '{marts}/fct_reconciliation.parquet'"
    ).fetchone()
    assert n == n_ok == 9
    teams = con.execute(f"select count(*) from '{marts}/fct_cost_by_team_30d.parquet'").fetchone()[
        0
    ]
    assert teams >= 10
    assert not list(marts.glob("*.tmp"))


def test_injected_anomalies_stand_out_in_daily_costs(pipeline):
    import datetime as dt
    import statistics

    anomalies = json.loads((pipeline["landing"] / "_meta" / "anomalies.json").read_text())[
        "anomalies"
    ]
    con = duckdb.connect(str(pipeline["root"] / "warehouse.duckdb"), read_only=True)
    checked = 0
    for a in anomalies:
        if a["start_date"] < "2026-08-01":
            continue
        per_day = {
            d: float(v)
            for d, v in con.execute(
                """select charge_date, sum(effective_cost) from marts.fct_charges
               where provider = ? and resource_id = ? and charge_category = 'Usage' group by 1""",
                [a["provider"], a["resource_id"]],
            ).fetchall()
        }
        start = dt.date.fromisoformat(a["start_date"])
        normal = [v for d, v in per_day.items() if d < start - dt.timedelta(days=3)]
        assert normal, a
        assert per_day[start] > 1.5 * statistics.median(normal), (a, per_day[start])
        checked += 1
    con.close()
    assert checked >= 2


def test_partition_rerun_is_idempotent(pipeline):
    wh = pipeline["root"] / "warehouse.duckdb"

    def snapshot():
        con = duckdb.connect(str(wh), read_only=True)
        try:
            return con.execute(
                "select count(*), sum(billed_cost), sum(effective_cost) from marts.fct_charges"
            ).fetchone()
        finally:
            con.close()

    before = snapshot()
    defs, instance = pipeline["defs"], pipeline["instance"]
    again = defs.resolve_job_def("ingest_exports").execute_in_process(
        instance=instance, partition_key="2026-09-01"
    )
    assert again.success
    transform = defs.resolve_job_def("transform_marts").execute_in_process(instance=instance)
    assert transform.success
    assert snapshot() == before


def test_sensor_requests_the_partitions_of_redelivered_files(pipeline, tmp_path):
    from orchestration.defs.ingest.sensors import new_export_files
    from orchestration.defs.resources import SibylSettings

    settings = SibylSettings(
        landing_root=str(pipeline["landing"]), lake_root=str(pipeline["root"] / "lake")
    )
    ctx = dg.build_sensor_context(instance=pipeline["instance"], resources={"sibyl": settings})
    first = new_export_files(ctx)
    keys = {(tuple(r.asset_selection[0].path), r.partition_key) for r in first.run_requests}
    assert (("lake", "raw_aws_billing"), "2026-09-01") in keys
    assert (("lake", "raw_azure_billing"), "2026-10-01") in keys
    ctx2 = dg.build_sensor_context(
        instance=pipeline["instance"], cursor=first.cursor, resources={"sibyl": settings}
    )
    assert not new_export_files(ctx2).run_requests


def test_sensor_registers_the_billing_periods_it_finds(pipeline, tmp_path):
    """A fresh instance has no partitions: the sensor adds exactly the landed periods, in order,
    and requests runs only for them."""
    from orchestration.defs.ingest.sensors import new_export_files
    from orchestration.defs.resources import SibylSettings

    settings = SibylSettings(landing_root=str(pipeline["landing"]), lake_root=str(tmp_path))
    ctx = dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(), resources={"sibyl": settings}
    )
    result = new_export_files(ctx)
    (added,) = result.dynamic_partitions_requests
    assert added.partitions_def_name == "billing_period"
    assert list(added.partition_keys) == ["2026-08-01", "2026-09-01", "2026-10-01"]
    assert {r.partition_key for r in result.run_requests} == set(added.partition_keys)
