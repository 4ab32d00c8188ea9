"""Remote lake plumbing without an emulator: settings with a URL data dir, URL helpers, gcsfs's
JSON-API filesystem for gs://, and DuckDB (the dbt plugin, the cockpit's Marts, the ML reader)
reading Parquet through a registered fsspec filesystem, here fsspec's in-memory one."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import duckdb
import fsspec
import pytest

from app.cockpit.queries.core import MartMissing, Marts
from app.cockpit.queries.overview import last_run
from app.savings_summary import query as savings_query
from ingest import duckdb_fs
from ingest import fs as lakefs
from orchestration.settings import REPO_ROOT, Settings
from tests.conftest import env_vars


@pytest.fixture
def clean_env(monkeypatch):
    for var in ("SIBYL_DATA_DIR", "SIBYL_STATE_DIR", "SIBYL_LANDING_ROOT", "SIBYL_LAKE_ROOT",
                "SIBYL_MARTS_DIR", "SIBYL_WAREHOUSE", "SIBYL_CI_ARTIFACTS_ROOT"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_a_url_data_dir_puts_the_data_folders_there_and_the_warehouse_in_local_state(
    clean_env, tmp_path
):
    clean_env.setenv("SIBYL_DATA_DIR", "s3://acme-finops/sibyl/")
    clean_env.setenv("SIBYL_STATE_DIR", str(tmp_path))
    s = Settings.from_env()
    assert (s.landing_root, s.lake_root, s.marts_dir, s.ci_artifacts_root) == (
        "s3://acme-finops/sibyl/landing",
        "s3://acme-finops/sibyl/lake",
        "s3://acme-finops/sibyl/marts",
        "s3://acme-finops/sibyl/ci_artifacts",
    )
    assert s.data_dir == str(tmp_path) and s.storage_root == "s3://acme-finops/sibyl"
    assert s.warehouse_path == str(tmp_path / "warehouse.duckdb")
    assert s.dbt_env()["SIBYL_LAKE_ROOT"] == "s3://acme-finops/sibyl/lake"
    with env_vars(s.dbt_env()):  # Dagster's dbt project exports this: the settings survive it
        assert Settings.from_env() == s

    clean_env.delenv("SIBYL_STATE_DIR")
    clean_env.setenv("SIBYL_MARTS_DIR", "gs://other/marts")  # one folder elsewhere
    s = Settings.from_env()
    assert s.warehouse_path == str(REPO_ROOT / "data" / "warehouse.duckdb")
    assert s.marts_dir == "gs://other/marts" and s.lake_root == "s3://acme-finops/sibyl/lake"


def test_a_local_data_dir_is_unchanged(clean_env, tmp_path):
    clean_env.setenv("SIBYL_DATA_DIR", str(tmp_path))
    clean_env.setenv("SIBYL_STATE_DIR", "/ignored")  # only used with a URL data dir
    s = Settings.from_env()
    assert s.lake_root == str(tmp_path / "lake") and s.storage_root == str(tmp_path)
    assert s.warehouse_path == str(tmp_path / "warehouse.duckdb")
    with env_vars(s.dbt_env()):
        assert Settings.from_env() == s


def test_url_helpers():
    assert lakefs.protocol("az://c/x") == "abfs" and lakefs.protocol("gcs://b") == "gs"
    assert lakefs.protocol("/srv/x") == "file" and not lakefs.is_remote("/srv/x")
    assert lakefs.join("s3://b/marts/", "m.parquet") == "s3://b/marts/m.parquet"
    assert lakefs.join("/data/marts", "m.parquet") == "/data/marts/m.parquet"


def test_gs_uses_the_json_api_filesystem_not_the_grpc_probing_one(monkeypatch):
    from gcsfs.core import GCSFileSystem

    monkeypatch.setenv("SIBYL_STORAGE_OPTIONS", '{"gs": {"token": "anon", "project": "p"}}')
    fs, path = lakefs.get_fs("gs://bucket/lake/raw")
    assert type(fs) is GCSFileSystem and path == "bucket/lake/raw"


def _memory_root() -> str:
    return f"memory://sibyl-{uuid.uuid4().hex}"


def _put_parquet(root: str, rel: str, sql: str, tmp_path: Path) -> None:
    local = tmp_path / f"{uuid.uuid4().hex}.parquet"
    con = duckdb.connect()
    con.execute(f"copy ({sql}) to '{local}' (format parquet)")
    con.close()
    lakefs.put_atomic(local, root, rel)


def test_duckdb_reads_a_remote_hive_lake_through_the_registered_filesystem(tmp_path):
    root = _memory_root()
    for period, cost in (("2026-01", "1.10"), ("2026-02", "2.25")):
        _put_parquet(
            root,
            f"raw/aws/billing_period={period}/cur2__x.parquet",
            f"select {cost}::decimal(38, 10) as billed_cost",
            tmp_path,
        )
    con = duckdb_fs.connect(root, "/local/ignored", root)
    try:
        rows = con.execute(
            "select billing_period, billed_cost from read_parquet($p) order by 1",
            {"p": f"{root}/raw/aws/*/cur2__*.parquet"},
        ).fetchall()
    finally:
        con.close()
    assert rows == [("2026-01", Decimal("1.1")), ("2026-02", Decimal("2.25"))]

    unregistered = duckdb.connect()
    with pytest.raises(duckdb.Error):  # without the filesystem DuckDB cannot read the URL
        unregistered.execute("select * from read_parquet($p)", {"p": f"{root}/raw/aws/*/*.parquet"})
    unregistered.close()


def test_the_dbt_plugin_registers_the_lake_filesystem(tmp_path):
    from orchestration.lib.dbt_lake_fs import Plugin

    root = _memory_root()
    _put_parquet(root, "raw/gcp/billing_period=2026-03/gcp__a.parquet", "select 7 as n", tmp_path)
    plugin = Plugin(name="lake", plugin_config={"roots": [root, ""]})
    con = duckdb.connect()
    plugin.configure_connection(con)
    assert con.execute(
        "select count(*) from glob($p)", {"p": f"{root}/raw/gcp/*/gcp__*.parquet"}
    ).fetchall() == [(1,)]
    con.close()
    Plugin(name="lake", plugin_config={"roots": [str(tmp_path)]}).configure_connection(
        duckdb.connect()
    )  # a local lake registers nothing and does not fail


def test_marts_read_published_files_under_a_url_and_see_republishing(tmp_path):
    root = _memory_root()
    _put_parquet(root, "fct_daily_costs.parquet", "select 'a' as team_id, 2.5 as c", tmp_path)
    m = Marts(root)
    assert m.has("fct_daily_costs") and not m.has("dim_teams")
    assert last_run(m) is not None and last_run(Marts(_memory_root())) is None
    # the CLI summaries' reader (sibyl savings, sibyl run's summary) reads the same URL
    n = savings_query(root, "fct_daily_costs", "select count(*) as n from read_parquet($p)")
    assert n == [{"n": 1}] and savings_query(root, "dim_teams", "select 1") == []
    from app.mcp_server import published_schema

    assert [c["name"] for c in published_schema(m, "fct_daily_costs")] == ["team_id", "c"]
    sql = "select team_id, sum(c) from read_parquet($fct_daily_costs) group by 1"
    assert m.query(sql, marts=("fct_daily_costs",)) == [("a", Decimal("2.5"))]
    assert Marts(root, teams=("b",)).query(sql, marts=("fct_daily_costs",)) == []
    # republished with other content: a new cache key, the new rows
    _put_parquet(root, "fct_daily_costs.parquet", "select 'a' as team_id, 4.0 as c", tmp_path)
    assert m.query(sql, marts=("fct_daily_costs",)) == [("a", Decimal("4.0"))]
    with pytest.raises(MartMissing, match="dim_teams"):
        m.query("select * from read_parquet($dim_teams)", marts=("dim_teams",))


def test_an_unreachable_store_is_reported_without_its_secrets(monkeypatch):
    for var in ("AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_CONNECTION_STRING"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SIBYL_STORAGE_OPTIONS", '{"abfs": {}}')  # no account: adlfs refuses
    with pytest.raises(lakefs.RootError) as err:
        duckdb_fs.connect("abfs://user:hunter2@marts/published?sig=abc")
    assert "hunter2" not in str(err.value) and "abc" not in str(err.value)
    assert "marts/published" in str(err.value)


def test_memory_filesystem_is_fsspecs():  # the stand-in store above is fsspec's own
    assert type(lakefs.get_fs(_memory_root())[0]) is type(fsspec.filesystem("memory"))


def test_gate_checks_publish_to_a_marts_url(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from orchestration.lib.ci_artifacts import publish_checks

    checks = tmp_path / "checks"
    checks.mkdir()
    for i, when in enumerate(("2026-11-01T00:00:00", "2026-11-02T00:00:00")):
        pq.write_table(pa.table({"checked_at": [when], "team": [f"t{i}"]}), checks / f"{i}.parquet")
    root = _memory_root()
    dest, n = publish_checks(str(checks), root)
    assert (dest, n) == (f"{root}/fct_iac_checks.parquet", 2)
    got = Marts(root).query(
        "select team from read_parquet($fct_iac_checks)", marts=("fct_iac_checks",)
    )
    assert got == [("t1",), ("t0",)]  # newest first
