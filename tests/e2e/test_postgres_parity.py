"""The same lake built on DuckDB and on a real PostgreSQL 15 server gives the same marts.

A server from the machine's binaries (`pg_config --bindir`) starts in a temp folder on a free
port. The e2e pipeline's run on the sample exports (tests/e2e/conftest.py `built_root`, shared
with the other e2e tests: ingest, dbt on DuckDB, the ML and savings jobs) gives the DuckDB marts
and a lake holding the ML and savings outputs too; that lake is bulk-loaded into Postgres
(ingest/pg_load.py), every model is built there, and every mart table DuckDB has is compared row
for row (tests/parity.py: exact numbers, floats within 1e-9, JSON by value, order-insensitive).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg2
import pytest
from psycopg2 import sql as pgsql

from ingest.pg_load import load_lake, plan_tables
from tests.parity import diff_rows
from tests.pg_server import PgServer, bindir

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bindir() is None, reason="PostgreSQL server binaries not installed"),
]


def test_the_loader_brings_every_lake_row(pg_built) -> None:
    """Row counts per loaded table equal DuckDB's count over the same files."""
    lake = pg_built["lake"]
    con = duckdb.connect()
    for table in plan_tables(lake):  # type: ignore[arg-type]
        expected = con.execute(
            "select count(*) from read_parquet($files, union_by_name = true)",
            {"files": [*table.files, *table.registered]},
        ).fetchone()[0]  # type: ignore[index]
        got = pg_built["loaded"][table.name]  # type: ignore[index]
        assert got == expected, table.name
    con.close()


def _project_models() -> set[str]:
    """Every model file of the dbt project (SQL or Python), by name."""
    root = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
    return {p.stem for p in root.rglob("*") if p.suffix in (".sql", ".py")}


def test_every_model_builds_and_every_dbt_test_passes_on_postgres(pg_built) -> None:
    results = pg_built["results"]["results"]  # type: ignore[index]
    models = {
        r["unique_id"].split(".")[-1]: r["status"]
        for r in results
        if r["unique_id"].startswith("model.")
    }
    assert set(models) == _project_models()
    assert {m: status for m, status in models.items() if status != "success"} == {}
    failed_tests = [
        r["unique_id"]
        for r in results
        if r["status"] in ("fail", "error") and not r["unique_id"].startswith("model.")
    ]
    assert failed_tests == []
    assert pg_built["code"] == 0


def test_every_mart_matches_duckdb_row_for_row(pg_built, pg_server: PgServer) -> None:
    duck = duckdb.connect(str(pg_built["duckdb"]), read_only=True)
    duck.execute("set timezone = 'UTC'")
    tables = [
        r[0]
        for r in duck.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    ]
    assert "fct_charges" in tables and len(tables) >= 25
    problems: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    compared = 0
    with psycopg2.connect(pg_server.url) as pg, pg.cursor() as cur:
        cur.execute("set timezone = 'UTC'")
        cur.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
        )
        # the same marts on both engines; the gate's checks table is copied by the sync, not built
        # by dbt (compared with its Parquet publication in test_postgres_readers)
        assert [r[0] for r in cur.fetchall() if r[0] != "fct_iac_checks"] == tables
        for name in tables:
            rel = duck.table(f"marts.{name}")
            d_cols = [c.lower() for c in rel.columns]
            d_rows = rel.fetchall()
            cur.execute(pgsql.SQL("select * from marts.{}").format(pgsql.Identifier(name)))
            p_cols = [c[0].lower() for c in cur.description]
            if d_cols != p_cols:
                problems[name] = [f"columns differ: {sorted(set(d_cols) ^ set(p_cols)) or 'order'}"]
                continue
            counts[name] = len(d_rows)
            diff = diff_rows(d_rows, cur.fetchall(), d_cols)
            if diff:
                problems[name] = diff
            compared += 1
        # the biggest mart is not empty on Postgres
        cur.execute("select count(*), sum(billed_cost) from marts.fct_charges")
        n, billed = cur.fetchone()
    duck.close()
    assert problems == {}
    assert compared == len(tables)
    assert n > 1000 and isinstance(billed, Decimal)
    # the ML and savings marts (read from the Python jobs' Parquet outputs) were compared with rows
    ml = (
        "fct_anomaly_series",
        "fct_cost_forecasts",
        "fct_budget_status",
        "fct_savings_opportunities",
    )
    assert all(counts[m] > 0 for m in ml), {m: counts[m] for m in ml}


# the models a one-period rebuild scopes by day or period through delete+insert and hooks (the
# parity build above is a first build: dbt never takes their incremental path there)
PERIOD_SCOPED = ("int_resource_periods", "int_tag_compliance_days", "fct_tag_compliance",
                 "fct_untagged_resources", "fct_ai_cloud_lines")  # fmt: skip


def test_a_one_period_rebuild_on_postgres_keeps_the_same_marts(
    pg_built, pg_server: PgServer, tmp_path: Path
) -> None:
    """dbt-postgres's delete+insert with the pre/post hooks: rebuilding the latest billing period
    of an unchanged lake gives back every row DuckDB's full build has."""
    import os
    import subprocess
    import sys

    from ingest.pg_warehouse import dbt_env, parse_target
    from orchestration.lib.sensing import dbt_build_env

    duck = duckdb.connect(str(pg_built["duckdb"]), read_only=True)
    period = duck.execute(
        "select strftime(max(billing_period), '%Y-%m') from marts.fct_charges"
    ).fetchall()[0][0]
    project = str(Path(__file__).resolve().parents[2] / "dbt_project")
    env = {**os.environ, **dbt_env(parse_target(pg_server.url)), **dbt_build_env([period]),
           "SIBYL_LAKE_ROOT": str(pg_built["lake"]), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}  # fmt: skip
    dbt = str(Path(sys.executable).parent / "dbt")
    proc = subprocess.run(  # noqa: S603 (the venv's dbt, fixed arguments)
        [dbt, "run", "--select", *PERIOD_SCOPED, "--project-dir", project, "--profiles-dir",
         project, "--target-path", str(tmp_path / "dbt_target")],  # fmt: skip
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:]
    # the incremental path ran: each incremental model's SQL is scoped to the period (the
    # untagged-resources mart is a table rolled up from int_resource_periods)
    for name in PERIOD_SCOPED:
        if name != "fct_untagged_resources":
            (compiled,) = (tmp_path / "dbt_target" / "compiled").rglob(f"models/**/{name}.sql")
            assert f"'{period}'" in compiled.read_text(), name
    with psycopg2.connect(pg_server.url) as pg, pg.cursor() as cur:
        cur.execute("set timezone = 'UTC'")
        for name in PERIOD_SCOPED[2:]:
            rel = duck.table(f"marts.{name}")
            cur.execute(pgsql.SQL("select * from marts.{}").format(pgsql.Identifier(name)))
            assert diff_rows(rel.fetchall(), cur.fetchall(), [c.lower() for c in rel.columns]) == []
    duck.close()


def test_the_sql_ai_line_rules_label_what_the_python_classifier_labels(pg_built) -> None:
    """fct_ai_cloud_lines (SQL, macros/ai_cloud.sql) against ingest.ai.cloud on every usage line
    of the lake; the Postgres build equals the DuckDB one (above)."""
    from ingest.ai.cloud import classify, unit_multiplier

    duck = duckdb.connect(str(pg_built["duckdb"]), read_only=True)
    charges = duck.execute(
        "select charge_id, provider, service_name, sku_meter, charge_description, consumed_quantity,"
        " consumed_unit from marts.fct_charges where charge_category = 'Usage'"
    ).fetchall()
    got = {r[0]: tuple(r[1:]) for r in duck.execute(
        "select charge_id, ai_provider, model, token_type, tokens from marts.fct_ai_cloud_lines").fetchall()}  # fmt: skip
    duck.close()
    want = {}
    for cid, provider, service, meter, description, qty, unit in charges:
        if label := classify(provider, service, meter, description):
            want[cid] = (*label, float(qty or 0) * unit_multiplier(unit))
    assert len(want) > 100 and got == want


def test_the_loader_unions_drifting_files_by_name_as_duckdb_does(
    tmp_path, pg_server: PgServer
) -> None:
    """Two deliveries of one export whose columns differ (one added, order changed, a nested map
    and a double): one table with every column, nulls where a file lacked one, the double as the
    decimal DuckDB's cast makes of it. No billing_period column: dbt's lake_source drops the hive
    partition column on DuckDB too."""
    lake = tmp_path / "lake"
    for period, sql in (
        ("2026-01", "select 'a' as k, 1.1::double as cost, map(['team'], ['x']) as tags"),
        ("2026-02", "select 2.675::double as cost, 'b' as k, 'new' as added"),
    ):
        folder = lake / "raw" / "aws" / f"billing_period={period}"
        folder.mkdir(parents=True)
        duckdb.sql(sql).write_parquet(str(folder / "aws_cur2__acme.parquet"))
    loaded = load_lake(lake, pg_server.url, schema="lake_drift")
    assert [(t.name, t.rows) for t in loaded] == [("raw__aws__aws_cur2", 2)]
    with psycopg2.connect(pg_server.url) as pg, pg.cursor() as cur:
        cur.execute("select k, cost, tags, added from lake_drift.raw__aws__aws_cur2 order by k")
        rows = cur.fetchall()
        cur.execute(
            "select count(*) from information_schema.columns where table_schema = 'lake_drift' "
            "and column_name = 'billing_period'"
        )
        assert cur.fetchone() == (0,)
        cur.execute("drop schema lake_drift cascade")
    assert rows == [
        ("a", Decimal("1.1000000000"), '{"team":"x"}', None),
        ("b", Decimal("2.6750000000"), None, "new"),
    ]


def test_the_analyst_role_reads_the_marts_and_cannot_write(pg_built, pg_server: PgServer) -> None:
    from ingest.pg_warehouse import grant_readonly

    grant_readonly(pg_server.url, "analyst_ro", password="not-a-secret")
    as_analyst = f"postgresql://analyst_ro@{pg_server.host}:{pg_server.port}/{pg_server.database}"
    with psycopg2.connect(as_analyst) as pg, pg.cursor() as cur:
        cur.execute("select count(*) from marts.fct_charges")
        assert cur.fetchone()[0] > 0  # type: ignore[index]
    for statement in (
        "insert into marts.dim_teams (team_id) values ('intruder')",
        "delete from marts.fct_charges",
        "create table marts.scratch (x int)",
        "select count(*) from lake.raw__aws__aws_cur2",
    ):
        with (
            psycopg2.connect(as_analyst) as pg,
            pg.cursor() as cur,
            pytest.raises(psycopg2.errors.InsufficientPrivilege),
        ):
            cur.execute(statement)
    # tables dbt creates later are readable without granting again (default privileges)
    with psycopg2.connect(pg_server.url) as pg, pg.cursor() as cur:
        cur.execute("create table marts.later_mart as select 1 as x")
    with psycopg2.connect(as_analyst) as pg, pg.cursor() as cur:
        cur.execute("select x from marts.later_mart")
        assert cur.fetchall() == [(1,)]
    with psycopg2.connect(pg_server.url) as pg, pg.cursor() as cur:
        cur.execute("drop table marts.later_mart")
