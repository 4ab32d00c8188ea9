"""Shared by the e2e tests of the MCP server and the monthly statements: one pipeline run on
the sample exports (session scope), so the marts are built once. Also the object-store
emulators of the remote-storage tests (`s3_endpoint`, `azurite`; tests/e2e/storage_servers.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from tests.conftest import env_vars

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def built_root(tmp_path_factory, sample_landing) -> Path:
    """Ingest + dbt + ML + savings on the sample exports (3 periods), the demo users, a gate root holding
    the example plans. SIBYL_MCP_E2E_ROOT reuses a folder built the same way (development)."""
    if os.environ.get("SIBYL_MCP_E2E_ROOT"):
        base = Path(os.environ["SIBYL_MCP_E2E_ROOT"])
    else:
        base = tmp_path_factory.mktemp("mcp")
        env = {"SIBYL_LANDING_ROOT": str(sample_landing), "SIBYL_LAKE_ROOT": str(base / "lake"),
               "SIBYL_WAREHOUSE": str(base / "warehouse.duckdb"), "SIBYL_MARTS_DIR": str(base / "marts"),
               "SIBYL_DATA_DIR": str(base)}  # fmt: skip
        with env_vars(env):
            from orchestration.definitions import defs as load_defs
            from orchestration.defs.partitions import register_periods

            defs = load_defs()
            inst = dg.DagsterInstance.ephemeral()
            register_periods(inst, ["2026-08", "2026-09", "2026-10"])  # partitions follow the data
            tags = {"dagster/asset_partition_range_start": "2026-08-01",
                    "dagster/asset_partition_range_end": "2026-10-01"}  # fmt: skip
            for job in ("ingest_exports", "transform_marts", "ml_daily", "savings_weekly"):
                kw: dict[str, Any] = {"tags": tags} if job == "ingest_exports" else {}
                assert defs.resolve_job_def(job).execute_in_process(instance=inst, **kw).success
    from app.demo_users import ensure_demo_users

    ensure_demo_users(str(base / "users.json"))
    gate = base / "gate"
    if not gate.exists():
        shutil.copytree(REPO / "examples" / "iac_plans", gate)
    return base


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free port, with fake AWS credentials and SIBYL_STORAGE_OPTIONS set."""
    import json

    from tests.e2e.storage_servers import moto_server

    with moto_server() as store:
        env = {**store.env, "SIBYL_STORAGE_OPTIONS": json.dumps({"s3": store.options})}
        with env_vars(env):
            yield store.options["endpoint_url"]


@pytest.fixture(scope="session")
def azurite() -> Path:
    """Azurite's blob server executable (installed from npm on first use)."""
    from tests.e2e.storage_servers import azurite_exe

    return azurite_exe()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A PostgreSQL server from the machine's binaries in a temp folder on a free port."""
    from tests.pg_server import temp_postgres

    with temp_postgres(tmp_path_factory.mktemp("pg")) as srv:
        yield srv


def write_gate_checks(checks_dir: Path) -> None:
    """The checks table's rows for the example plans, as the policy-check asset writes them."""
    from iac_gate.gate import run_gate
    from orchestration.lib.ci_artifacts import check_row, read_sidecar, write_check

    plans = REPO / "examples" / "iac_plans"
    for plan in sorted(plans.glob("*.json")):
        if plan.name.endswith(".meta.json"):
            continue
        meta, problems = read_sidecar(str(plans), plan.name)
        assert not problems
        report = run_gate(
            plan, environment=meta.get("environment"), team=meta.get("team")
        ).to_json()
        write_check(str(checks_dir), check_row(plan.name, report, meta))


@pytest.fixture(scope="session")
def pg_built(built_root: Path, pg_server) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The e2e pipeline's folder (`built_root`) synced to Postgres the way `sibyl run --warehouse`
    does: its lake (ML and savings outputs included) loaded, `dbt build` (data and unit tests too)
    on the Postgres target. Shared by the parity and the reader tests."""
    import json

    from app.warehouse_cli import sync

    # Other e2e tests share this folder and append human decisions (an anomaly acknowledged in the
    # cockpit) to its lake after the pipeline's DuckDB build: rebuild the marts that read those logs
    # on DuckDB first and publish them again, so that both engines and the Parquet marts the
    # reader tests compare with all hold the same lake.
    from orchestration.lib.publish import ML_MARTS, publish_marts
    from tests.conftest import run_dbt
    from tests.pg_server import sync_env, table_rows

    write_gate_checks(built_root / "iac" / "checks")  # the gate's table goes to Postgres too
    run_dbt(built_root / "lake", built_root / "warehouse.duckdb", "run", "--select", "tag:ml")
    publish_marts(str(built_root / "warehouse.duckdb"), str(built_root / "marts"), ML_MARTS)
    with env_vars(sync_env(built_root, built_root / "warehouse.duckdb")):
        code = sync(pg_server.url)
    results = json.loads((built_root / "dbt_target_postgres" / "run_results.json").read_text())
    return {"duckdb": built_root / "warehouse.duckdb", "lake": built_root / "lake",
            "loaded": table_rows(pg_server.url, "lake"), "code": code, "results": results}  # fmt: skip
