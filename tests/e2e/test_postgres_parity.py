"""The same lake built on DuckDB and on a real PostgreSQL 15 server gives the same marts.

A server from the machine's binaries (`pg_config --bindir`) starts in a temp folder on a free
port. The e2e pipeline's run on the sample exports (tests/e2e/conftest.py `built_root`, shared
with the other e2e tests: ingest, dbt on DuckDB, the ML and savings jobs) gives the DuckDB marts
and a lake holding the ML and savings outputs too; that lake is bulk-loaded into Postgres
(ingest/pg_load.py), every model is built there, and every mart table DuckDB has is compared row
for row (tests/parity.py: exact numbers, floats within 1e-9, JSON by value, order-insensitive).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg2
import pytest
from psycopg2 import sql as pgsql

from ingest.pg_load import load_lake, plan_tables
from tests.conftest import env_vars, run_dbt
from tests.parity import diff_rows
from tests.pg_server import PgServer, bindir, temp_postgres

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bindir() is None, reason="PostgreSQL server binaries not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    with temp_postgres(tmp_path_factory.mktemp("pg")) as srv:
        yield srv


@pytest.fixture(scope="module")
def built(built_root: Path, server: PgServer) -> dict[str, object]:
    """The e2e pipeline's folder (ingest, dbt on DuckDB, ML and savings jobs on the sample
    exports: tests/e2e/conftest.py) synced to Postgres the way `sibyl run --warehouse` does:
    its lake (ML and savings outputs included) loaded, `dbt build` (data and unit tests too) on
    the Postgres target, the read-only role granted."""
    from app.warehouse_cli import sync

    env = {"SIBYL_DATA_DIR": str(built_root), "SIBYL_LAKE_ROOT": str(built_root / "lake"),
           "SIBYL_WAREHOUSE": str(built_root / "warehouse.duckdb"),
           "SIBYL_MARTS_DIR": str(built_root / "marts")}  # fmt: skip
    # Other e2e tests share this folder and append human decisions (an anomaly acknowledged in the
    # cockpit) to its lake after the pipeline's DuckDB build: rebuild the marts that read those logs
    # on DuckDB first, so that both engines are compared on the same lake.
    run_dbt(built_root / "lake", built_root / "warehouse.duckdb", "run", "--select", "tag:ml")
    with env_vars(env):
        code = sync(server.url)
    results = json.loads((built_root / "dbt_target_postgres" / "run_results.json").read_text())
    loaded = {r[0]: r[1] for r in _pg_rows(server, "lake")}
    return {"duckdb": built_root / "warehouse.duckdb", "lake": built_root / "lake",
            "loaded": loaded, "code": code, "results": results}  # fmt: skip


def _pg_rows(server: PgServer, schema: str) -> list[tuple[str, int]]:
    """(table, rows) of every table in a schema."""
    out = []
    with psycopg2.connect(server.url) as pg, pg.cursor() as cur:
        cur.execute(
            "select table_name from information_schema.tables where table_schema = %s", (schema,)
        )
        for (name,) in cur.fetchall():
            cur.execute(
                pgsql.SQL("select count(*) from {}.{}").format(
                    pgsql.Identifier(schema), pgsql.Identifier(name)
                )
            )
            out.append((name, cur.fetchone()[0]))  # type: ignore[index]
    return out


def test_the_loader_brings_every_lake_row(built) -> None:
    """Row counts per loaded table equal DuckDB's count over the same files."""
    lake = built["lake"]
    con = duckdb.connect()
    for table in plan_tables(lake):  # type: ignore[arg-type]
        expected = con.execute(
            "select count(*) from read_parquet($files, union_by_name = true)",
            {"files": list(table.files)},
        ).fetchone()[0]  # type: ignore[index]
        got = built["loaded"][table.name]  # type: ignore[index]
        assert got == expected, table.name
    con.close()


def _project_models() -> set[str]:
    """Every model file of the dbt project (SQL or Python), by name."""
    root = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
    return {p.stem for p in root.rglob("*") if p.suffix in (".sql", ".py")}


def test_every_model_builds_and_every_dbt_test_passes_on_postgres(built) -> None:
    results = built["results"]["results"]  # type: ignore[index]
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
    assert built["code"] == 0


def test_every_mart_matches_duckdb_row_for_row(built, server: PgServer) -> None:
    duck = duckdb.connect(str(built["duckdb"]), read_only=True)
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
    with psycopg2.connect(server.url) as pg, pg.cursor() as cur:
        cur.execute("set timezone = 'UTC'")
        cur.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
        )
        assert [r[0] for r in cur.fetchall()] == tables  # the same marts on both engines
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


def test_the_sql_ai_line_rules_label_what_the_python_classifier_labels(built) -> None:
    """fct_ai_cloud_lines (SQL, macros/ai_cloud.sql) against ingest.ai.cloud on every usage line
    of the lake; the Postgres build equals the DuckDB one (above)."""
    from ingest.ai.cloud import classify, unit_multiplier

    duck = duckdb.connect(str(built["duckdb"]), read_only=True)
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
    tmp_path, server: PgServer
) -> None:
    """Two deliveries of one export whose columns differ (one added, order changed, a nested map
    and a double): one table with every column, nulls where a file lacked one, the double as the
    decimal DuckDB's cast makes of it."""
    lake = tmp_path / "lake"
    for period, sql in (
        ("2026-01", "select 'a' as k, 1.1::double as cost, map(['team'], ['x']) as tags"),
        ("2026-02", "select 2.675::double as cost, 'b' as k, 'new' as added"),
    ):
        folder = lake / "raw" / "aws" / f"billing_period={period}"
        folder.mkdir(parents=True)
        duckdb.sql(sql).write_parquet(str(folder / "aws_cur2__acme.parquet"))
    loaded = load_lake(lake, server.url, schema="lake_drift")
    assert [(t.name, t.rows) for t in loaded] == [("raw__aws__aws_cur2", 2)]
    with psycopg2.connect(server.url) as pg, pg.cursor() as cur:
        cur.execute(
            "select k, cost, tags, added, billing_period from lake_drift.raw__aws__aws_cur2 order by k"
        )
        rows = cur.fetchall()
        cur.execute("drop schema lake_drift cascade")
    assert rows == [
        ("a", Decimal("1.1000000000"), '{"team":"x"}', None, "2026-01"),
        ("b", Decimal("2.6750000000"), None, "new", "2026-02"),
    ]


def test_the_analyst_role_reads_the_marts_and_cannot_write(built, server: PgServer) -> None:
    from ingest.pg_warehouse import grant_readonly

    grant_readonly(server.url, "analyst_ro", password="not-a-secret")
    as_analyst = f"postgresql://analyst_ro@{server.host}:{server.port}/{server.database}"
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
    with psycopg2.connect(server.url) as pg, pg.cursor() as cur:
        cur.execute("create table marts.later_mart as select 1 as x")
    with psycopg2.connect(as_analyst) as pg, pg.cursor() as cur:
        cur.execute("select x from marts.later_mart")
        assert cur.fetchall() == [(1,)]
    with psycopg2.connect(server.url) as pg, pg.cursor() as cur:
        cur.execute("drop table marts.later_mart")


# ---- readers: the cockpit and the ML job on the Postgres marts -------------------------------


@pytest.fixture(scope="module")
def analyst(built, server: PgServer) -> str:
    """The URL of a read-only analyst role (sibyl warehouse grant-readonly), its password in
    SIBYL_PG_PASSWORD as a deployment would give it."""
    from ingest.pg_warehouse import grant_readonly

    grant_readonly(server.url, "cockpit_ro", password="cockpit-demo")
    return f"postgresql://cockpit_ro@{server.host}:{server.port}/{server.database}"


@pytest.fixture
def pg_marts(analyst: str, monkeypatch):  # type: ignore[no-untyped-def]
    from ingest.pg_marts import PostgresMarts

    monkeypatch.setenv("SIBYL_PG_PASSWORD", "cockpit-demo")
    return PostgresMarts.from_url(analyst)


def test_every_mart_read_through_the_postgres_source_equals_duckdbs(built, pg_marts) -> None:
    """The reader's Arrow copy of each mart (numeric as DECIMAL) equals the DuckDB mart row for
    row, money to its last decimal."""
    duck = duckdb.connect(str(built["duckdb"]), read_only=True)
    duck.execute("set timezone = 'UTC'")
    tables = [r[0] for r in duck.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' "
        "and table_type = 'BASE TABLE' order by 1").fetchall()]  # fmt: skip
    problems = {}
    for name in tables:
        rel = duck.table(f"marts.{name}")
        got = pg_marts.arrow(name)
        assert [c.lower() for c in got.column_names] == [c.lower() for c in rel.columns], name
        diff = diff_rows(rel.fetchall(), [tuple(r.values()) for r in got.to_pylist()], rel.columns)
        if diff:
            problems[name] = diff
    duck.close()
    assert problems == {}
    money = pg_marts.arrow("fct_daily_costs").schema.field("effective_cost").type
    assert str(money) == "decimal128(38, 10)"


def _cockpit_answers(m) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the cockpit's data functions return for one Marts (every page's main reads)."""
    from app.cockpit import queries as q

    cur = q.main_currency(m)
    first, last = q.date_range(m)
    return {
        "kpis": q.kpis(m),
        "allocation_30d": q.allocation_30d(m),
        "freshness": q.freshness(m),
        "daily_by_provider": q.daily_by_provider(m, cur),
        "daily_spread": q.daily_by_provider(m, cur, spread_monthly_fees=True),
        "date_range": (first, last),
        "explore": q.explore(m, q.Explore(dimension="team", start=first, end=last)),
        "explore_totals": q.explore_totals(m, q.Explore(dimension="service")),
        "top_movers": q.top_movers(m, "service"),
        "team_hierarchy": q.team_hierarchy(m),
        "monthly_showback": q.monthly_showback(m),
        "account_names": q.account_names(m),
        "tag_coverage_by_month": q.tag_coverage_by_month(m),
        "untagged_resources": q.untagged_resources(m),
        "budget_latest": q.budget_latest(m, now=dt.datetime(2026, 10, 21, tzinfo=dt.UTC)),
        "forecast_scopes": q.forecast_scopes(m),
        "anomaly_series": q.anomaly_series(m, "team:payments|USD", first, last),
    }


def _differences(want: object, got: object) -> list[str]:
    """Row sets compare as multisets with tests/parity.py (rows tied on a sort key may come in
    either order; float sums may differ in their last bit); anything else by equality."""
    if isinstance(want, tuple) and len(want) == 2 and isinstance(want[1], list):
        cols, rows = want
        if not isinstance(got, tuple) or list(got[0]) != list(cols):
            return [f"columns {got!r:.200} != {cols!r:.200}"]
        return diff_rows(rows, got[1], cols)
    if isinstance(want, list) and want and isinstance(want[0], tuple) and isinstance(got, list):
        return diff_rows(want, got, [str(i) for i in range(len(want[0]))])
    return [] if want == got else [f"{got!r:.300} != {want!r:.300}"]


def test_the_cockpits_data_functions_read_the_same_from_postgres_as_from_parquet(
    built, pg_marts, tmp_path
) -> None:
    from app.cockpit import queries as q

    parquet = q.Marts(str(Path(str(built["lake"])).parent / "marts"))
    postgres = q.Marts(
        str(tmp_path / "no_marts_here"), source=pg_marts
    )  # no Parquet to fall back on
    want, got = _cockpit_answers(parquet), _cockpit_answers(postgres)
    assert set(got) == set(want)
    assert {k: d for k in want if (d := _differences(want[k], got[k]))} == {}
    assert len(got["explore"][1]) > 0 and len(got["untagged_resources"][1]) > 0  # type: ignore[index,arg-type]
    # an engineering user's scope applies on Postgres too
    eng = ("payments", "checkout")
    scoped_pg = q.Marts("", teams=eng, source=pg_marts)
    scoped_pq = q.Marts(parquet.marts_dir, teams=eng)
    cols, rows = q.explore(scoped_pg, q.Explore(dimension="team"))
    assert not _differences(q.explore(scoped_pq, q.Explore(dimension="team")), (cols, rows))
    teams = {r[cols.index("value")] for r in rows}
    assert teams and teams <= set(eng)
    # independently: month to date from the DuckDB mart, to the cent and beyond
    k = got["kpis"]
    duck = duckdb.connect(str(built["duckdb"]), read_only=True)
    mtd = duck.execute(
        "select sum(effective_cost) from marts.fct_daily_costs where billing_currency = $cur "
        "and charge_date >= date_trunc('month', $as_of::date) and charge_date <= $as_of",
        {"cur": k.currency, "as_of": k.as_of},  # type: ignore[attr-defined]
    ).fetchone()[0]  # type: ignore[index]
    duck.close()
    assert k.mtd_cost == mtd and mtd > 0  # type: ignore[attr-defined]
    # a mart the warehouse lacks (the gate's IaC checks are published as Parquet only) says so
    with pytest.raises(q.MartMissing, match="fct_iac_checks"):
        q.iac_checks(postgres)


def test_the_ml_jobs_inputs_read_the_same_from_postgres_as_from_parquet(built, pg_marts) -> None:
    from models_ml import runs

    marts = str(Path(str(built["lake"])).parent / "marts")
    for scopes, cats in (
        (runs.ANOMALY_SCOPES, runs.ANOMALY_CHARGE_CATEGORIES),
        (runs.FORECAST_SCOPES, None),
    ):
        want = runs.cost_series(marts, scopes, charge_categories=cats)
        got = runs.cost_series(pg_marts, scopes, charge_categories=cats)
        assert got.height > 0 and got.equals(want)
    actuals = runs.daily_actuals(pg_marts)
    assert actuals == runs.daily_actuals(marts)
    assert runs._scope_owners(pg_marts) == runs._scope_owners(marts)
    # independently: the organization's daily cost per currency, from the DuckDB mart
    duck = duckdb.connect(str(built["duckdb"]), read_only=True)
    rows = duck.execute(
        "select billing_currency, charge_date, sum(effective_cost) from marts.fct_daily_costs group by 1, 2"
    ).fetchall()
    duck.close()
    org = {(cur, day): cost for (st, _, cur), days in actuals.items() if st == "organization"
           for day, cost in days.items()}  # fmt: skip
    assert org == {(cur, day): Decimal(cost) for cur, day, cost in rows}


def test_a_cockpit_page_reads_postgres_with_the_analyst_role(
    built, analyst: str, tmp_path, monkeypatch
) -> None:
    """The overview in Streamlit's AppTest, once on the Parquet marts and once on Postgres only
    (SIBYL_WAREHOUSE_URL, an empty marts folder): the same figures."""
    import shutil
    import time

    from ingest import pg_marts as pg_marts_module
    from tests.e2e.test_cockpit import metrics, page

    root = Path(str(built["lake"])).parent
    start = time.perf_counter()
    on_parquet = metrics(page("overview", root / "marts", monkeypatch))
    print(f"overview page on Parquet: {time.perf_counter() - start:.2f} s")  # noqa: T201
    pg_root = tmp_path / "pg"
    (pg_root / "marts").mkdir(parents=True)
    shutil.copy(root / "users.json", pg_root / "users.json")
    (pg_root / "lake").symlink_to(root / "lake")
    monkeypatch.setenv("SIBYL_WAREHOUSE_URL", analyst)
    monkeypatch.setenv("SIBYL_PG_PASSWORD", "cockpit-demo")
    pg_marts_module._fetch.cache_clear()  # every mart the page reads comes from the server now
    start = time.perf_counter()
    on_postgres = metrics(page("overview", pg_root / "marts", monkeypatch))
    print(f"overview page on Postgres: {time.perf_counter() - start:.2f} s")  # noqa: T201
    assert on_postgres == on_parquet and len(on_parquet) >= 6
