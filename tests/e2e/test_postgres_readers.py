"""The cockpit and the ML job read the marts from PostgreSQL as they read the published Parquet.

The e2e pipeline's folder synced to a real PostgreSQL server (tests/e2e/conftest.py `pg_built`,
shared with test_postgres_parity.py) is read through `ingest.pg_marts.PostgresMarts` as a read-only
analyst role: every mart, the cockpit's data functions, a cockpit page (Streamlit AppTest) and the
ML job's inputs must equal what DuckDB's marts and the Parquet reader give.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.parity import diff_rows
from tests.pg_server import PgServer, bindir

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bindir() is None, reason="PostgreSQL server binaries not installed"),
]


@pytest.fixture(scope="module")
def analyst(pg_built, pg_server: PgServer) -> str:
    """The URL of a read-only analyst role (sibyl warehouse grant-readonly), its password in
    SIBYL_PG_PASSWORD as a deployment would give it."""
    from ingest.pg_warehouse import grant_readonly

    grant_readonly(pg_server.url, "cockpit_ro", password="cockpit-demo")
    return f"postgresql://cockpit_ro@{pg_server.host}:{pg_server.port}/{pg_server.database}"


@pytest.fixture
def pg_marts(analyst: str, monkeypatch):  # type: ignore[no-untyped-def]
    from ingest.pg_marts import PostgresMarts

    monkeypatch.setenv("SIBYL_PG_PASSWORD", "cockpit-demo")
    return PostgresMarts.from_url(analyst)


def test_every_mart_read_through_the_postgres_source_equals_duckdbs(pg_built, pg_marts) -> None:
    """The reader's Arrow copy of each mart (numeric as DECIMAL) equals the DuckDB mart row for
    row, money to its last decimal."""
    duck = duckdb.connect(str(pg_built["duckdb"]), read_only=True)
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
    pg_built, pg_marts, tmp_path
) -> None:
    from app.cockpit import queries as q

    parquet = q.Marts(str(Path(str(pg_built["lake"])).parent / "marts"))
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
    duck = duckdb.connect(str(pg_built["duckdb"]), read_only=True)
    mtd = duck.execute(
        "select sum(effective_cost) from marts.fct_daily_costs where billing_currency = $cur "
        "and charge_date >= date_trunc('month', $as_of::date) and charge_date <= $as_of",
        {"cur": k.currency, "as_of": k.as_of},  # type: ignore[attr-defined]
    ).fetchone()[0]  # type: ignore[index]
    duck.close()
    assert k.mtd_cost == mtd and mtd > 0  # type: ignore[attr-defined]
    # the gate's checks (written by its asset, not dbt) reach Postgres with the sync, exact
    from orchestration.lib.ci_artifacts import publish_checks

    checks = Path(str(pg_built["lake"])).parent / "iac" / "checks"
    publish_checks(str(checks), str(tmp_path / "iac_marts"))
    want_cols, want_rows = q.iac_checks(q.Marts(str(tmp_path / "iac_marts")))
    got_cols, got_rows = q.iac_checks(postgres)
    assert got_cols == want_cols and not diff_rows(want_rows, got_rows, got_cols)
    written = [pq.read_table(f).to_pylist()[0] for f in sorted(checks.glob("*.parquet"))]
    by_plan = {r[got_cols.index("plan_path")]: r for r in got_rows}
    assert len(by_plan) == len(written) == 4
    for w in written:
        row = by_plan[w["plan_path"]]
        assert row[got_cols.index("total_monthly_cost")] == w["total_monthly_cost"]  # Decimal
        assert row[got_cols.index("decision")] == w["decision"]
    assert not postgres.has("fct_not_a_mart")


def test_the_ml_jobs_inputs_read_the_same_from_postgres_as_from_parquet(pg_built, pg_marts) -> None:
    from models_ml import runs

    marts = str(Path(str(pg_built["lake"])).parent / "marts")
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
    duck = duckdb.connect(str(pg_built["duckdb"]), read_only=True)
    rows = duck.execute(
        "select billing_currency, charge_date, sum(effective_cost) from marts.fct_daily_costs group by 1, 2"
    ).fetchall()
    duck.close()
    org = {(cur, day): cost for (st, _, cur), days in actuals.items() if st == "organization"
           for day, cost in days.items()}  # fmt: skip
    assert org == {(cur, day): Decimal(cost) for cur, day, cost in rows}


def test_a_cockpit_page_reads_postgres_with_the_analyst_role(
    pg_built, analyst: str, tmp_path, monkeypatch
) -> None:
    """The overview in Streamlit's AppTest, once on the Parquet marts and once on Postgres only
    (SIBYL_WAREHOUSE_URL, an empty marts folder): the same figures."""
    import shutil
    import time

    from ingest import pg_marts as pg_marts_module
    from tests.e2e.test_cockpit import metrics, page

    root = Path(str(pg_built["lake"])).parent
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
