"""The cockpit on a warehouse built from the sample exports: every page in Streamlit's AppTest
(values equal the marts, filters change rows, empty marts give the 'not produced yet' message),
then every page in headless Chromium against `streamlit run`, with screenshots."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from streamlit.testing.v1 import AppTest

from app.cockpit import queries as q
from app.cockpit.common import money, pct
from tests.conftest import env_vars

pytestmark = pytest.mark.e2e
VIEWS = Path(__file__).resolve().parents[2] / "app" / "cockpit" / "views"
PAGES = {"overview": "Overview", "explorer": "Cost explorer", "teams": "Teams & showback",
         "tagging": "Tagging & compliance", "anomalies": "Anomalies", "forecast_budgets": "Forecast & budgets",
         "iac_checks": "IaC checks"}  # fmt: skip


@pytest.fixture(scope="module")
def marts_dir(tmp_path_factory, sample_landing) -> Path:
    """Ingest + dbt + publish on the sample exports (3 periods), then a gate check row."""
    root = tmp_path_factory.mktemp("cockpit")
    env = {"SIBYL_LANDING_ROOT": str(sample_landing), "SIBYL_LAKE_ROOT": str(root / "lake"),
           "SIBYL_WAREHOUSE": str(root / "warehouse.duckdb"), "SIBYL_MARTS_DIR": str(root / "marts"),
           "SIBYL_DATA_DIR": str(root)}  # fmt: skip
    with env_vars(env):
        from orchestration.definitions import defs as load_defs

        defs = load_defs()
        instance = dg.DagsterInstance.ephemeral()
        assert (
            defs.resolve_job_def("ingest_exports")
            .execute_in_process(
                instance=instance,
                tags={
                    "dagster/asset_partition_range_start": "2026-08-01",
                    "dagster/asset_partition_range_end": "2026-10-01",
                },
            )
            .success
        )
        assert defs.resolve_job_def("transform_marts").execute_in_process(instance=instance).success
        assert defs.resolve_job_def("ml_daily").execute_in_process(instance=instance).success
        from iac_gate.gate import run_gate
        from orchestration.lib.ci_artifacts import check_row, publish_checks, write_check

        report = run_gate("tests/iac_fixtures/google/plan.json").to_json()
        write_check(
            str(root / "iac" / "checks"),
            check_row("acme/pr-1.json", report, {"repo": "acme/infra"}),
        )
        publish_checks(str(root / "iac" / "checks"), str(root / "marts"))
    return root / "marts"


def page(name: str, marts: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("SIBYL_MARTS_DIR", str(marts))
    monkeypatch.setenv("SIBYL_LAKE_ROOT", str(marts.parent / "lake"))
    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == PAGES[name]
    return at


def test_overview_kpis_equal_the_marts(marts_dir, monkeypatch) -> None:
    from app.summary import summary_facts

    at = page("overview", marts_dir, monkeypatch)
    k = q.kpis(q.Marts(str(marts_dir)))
    shown = {m.label: m.value for m in at.metric}
    assert shown["Month to date"] == money(k.mtd_cost, k.currency)
    facts = summary_facts(str(marts_dir))  # the CLI summary reads the same marts
    assert shown["Allocated to a team (30 d)"] == pct(facts.allocated_pct)
    assert shown["Tag compliance (30 d)"] == pct(facts.compliance_pct)
    import duckdb  # and independently of the shared query functions, straight from the mart

    daily = marts_dir / "fct_daily_costs.parquet"
    alloc = duckdb.sql(f"""select sum(effective_cost) filter (where attribution_method <> 'unallocated') * 100.0
                           / sum(effective_cost) from '{daily}'
                           where charge_date > (select max(charge_date) from '{daily}') - 30""").fetchall()[
        0
    ][0]
    assert shown["Allocated to a team (30 d)"] == pct(float(alloc))
    n_open = duckdb.sql(
        f"select count(*) from '{marts_dir / 'fct_cost_anomalies.parquet'}' where status = 'open'"
    ).fetchall()[0][0]
    assert n_open > 0 and shown["Open anomalies"] == str(n_open)
    org = duckdb.sql(f"""select projected_period_end_cost from '{marts_dir / "fct_budget_status.parquet"}'
                         where budget_id = 'org-monthly' order by as_of_date desc limit 1""").fetchall()[
        0
    ][0]
    assert shown["Forecast to month end"] == money(org, k.currency)
    assert any("Data freshness" in c.value for c in at.caption)


def test_explorer_filters_change_the_rows(marts_dir, monkeypatch) -> None:
    at = page("explorer", marts_dir, monkeypatch)
    all_rows = at.dataframe[0].value
    at.multiselect(key="f_provider").set_value(["gcp"]).run()
    assert not at.exception
    gcp_rows = at.dataframe[0].value
    assert 0 < len(gcp_rows) < len(all_rows)
    m = q.Marts(str(marts_dir))
    lo, hi = q.date_range(m)
    import datetime as dt

    start = max(lo, hi - dt.timedelta(days=180))
    _, expect = q.explore_totals(
        m, q.Explore(dimension="service", start=start, end=hi, filters=(("provider", ("gcp",)),))
    )
    assert set(gcp_rows["value"]) == {r[0] for r in expect}
    at.selectbox[0].set_value("team").run()
    assert not at.exception and "team" in at.subheader[0].value


def test_teams_tagging_and_iac_pages(marts_dir, monkeypatch) -> None:
    teams = page("teams", marts_dir, monkeypatch)
    assert len(teams.dataframe[1].value) == len(q.team_hierarchy(q.Marts(str(marts_dir)))[1])
    tagging = page("tagging", marts_dir, monkeypatch)
    assert len(tagging.dataframe) == 3
    iac = page("iac_checks", marts_dir, monkeypatch)
    assert {m.label: m.value for m in iac.metric}["Checks"] == "1"


def test_anomaly_inbox_shows_the_mart_and_writes_status_back(marts_dir, monkeypatch) -> None:
    from models_ml.status import latest_status

    m = q.Marts(str(marts_dir))
    cols, rows = q.anomaly_inbox(m, statuses=q.ANOMALY_STATUSES)
    assert rows, "the sample data has anomaly events"
    at = page("anomalies", marts_dir, monkeypatch)
    shown = {x.label: x.value for x in at.metric}
    assert shown["Open anomalies"] == str(sum(1 for r in rows if r[cols.index("status")] == "open"))
    assert len(at.dataframe[0].value) == len(rows)
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")  # the series with its band
    event = at.selectbox[1].value
    at.radio[0].set_value("resolved")
    at.text_input[0].set_value("dana")
    at.text_area[0].set_value("")  # resolving needs a note: refused, nothing written
    at.button[0].click().run()
    assert any("needs a note" in e.value for e in at.error)
    assert latest_status(str(marts_dir.parent / "lake")).is_empty()
    at.text_area[0].set_value("expected: quarterly batch job")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    log = latest_status(str(marts_dir.parent / "lake"))
    assert (
        log.row(0, named=True)["event_id"] == event
        and log["status"][0] == "resolved"
        and log["changed_by"][0] == "dana"
    )
    again = page(
        "anomalies", marts_dir, monkeypatch
    )  # the fresh status shows before the next pipeline run
    assert {x.label: x.value for x in again.metric}["Resolved"] == "1"
    assert (
        q.anomaly_kpis(*reversed(q.anomaly_inbox(m, statuses=q.ANOMALY_STATUSES)))["resolved"] == 0
    )  # the mart itself


def test_forecast_and_budget_page_matches_the_marts(marts_dir, monkeypatch) -> None:
    m = q.Marts(str(marts_dir))
    bcols, brows = q.budget_latest(m)
    at = page("forecast_budgets", marts_dir, monkeypatch)
    shown = {x.label: x.value for x in at.metric}
    assert shown["Budgets"] == str(len(brows))
    assert shown["Breakers open"] == str(
        sum(1 for r in brows if r[bcols.index("breaker_state")] == "open")
    )
    fcols, frows = q.forecast_vs_actual(m, at.selectbox[1].value)
    future = [r for r in frows if r[fcols.index("yhat")] is not None]
    assert len(future) == 90
    assert shown["next 30 days"] == money(sum(float(r[fcols.index("yhat")]) for r in future[:30]))
    assert len(at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")) == 3
    bid = at.selectbox[0].value
    vcols, vrows = q.budget_vs_forecast(m, bid)
    latest = next(r for r in brows if r[bcols.index("budget_id")] == bid)
    as_of = latest[bcols.index("as_of_date")]
    by_day = {r[0]: r for r in vrows}
    assert (
        round(by_day[as_of][vcols.index("actual_to_date")], 2)
        == latest[bcols.index("actual_cost_to_date")]
    )
    if (
        latest[bcols.index("projection_method")] == "forecast"
    ):  # the chart ends where the mart's projection does
        assert (
            abs(
                float(vrows[-1][vcols.index("forecast_to_date")])
                - float(latest[bcols.index("projected_period_end_cost")])
            )
            < 1.0
        )


def test_pages_say_what_is_not_produced_yet(tmp_path, monkeypatch) -> None:
    for name in PAGES:
        at = page(name, tmp_path, monkeypatch)
        assert any("has not been produced yet" in i.value for i in at.info), name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_every_page_renders_in_headless_chromium(marts_dir, tmp_path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    if not chromium or not driver_bin:
        pytest.skip(
            "Chromium is not installed (Debian packages chromium, chromium-driver; .ci/run installs them)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    port = _free_port()
    env = {**os.environ, "SIBYL_MARTS_DIR": str(marts_dir)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "streamlit"),
            "run",
            "app/cockpit/streamlit_app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    opts = webdriver.ChromeOptions()
    for a in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--window-size=1400,1100",
    ):
        opts.add_argument(a)
    opts.binary_location = chromium
    browser = None
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        browser = webdriver.Chrome(service=Service(driver_bin), options=opts)
        urls = {"overview": "overview", "explorer": "explorer", "teams": "teams", "tagging": "tagging",
                "anomalies": "anomalies", "forecast_budgets": "forecast", "iac_checks": "iac"}  # fmt: skip
        for name, url in urls.items():
            browser.get(f"http://127.0.0.1:{port}/{url}")
            WebDriverWait(browser, 60).until(
                lambda b, title=PAGES[name]: any(
                    h.text == title for h in b.find_elements(By.CSS_SELECTOR, "h1")
                )
            )
            WebDriverWait(browser, 60).until(
                lambda b: not b.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']")
            )
            time.sleep(1.5)  # let charts draw before the screenshot
            assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid='stException']"), name
            shot = tmp_path / f"{name}.png"
            browser.save_screenshot(str(shot))
            assert shot.stat().st_size > 10_000
    finally:
        if browser is not None:
            browser.quit()
        server.terminate()
        server.wait(timeout=20)
