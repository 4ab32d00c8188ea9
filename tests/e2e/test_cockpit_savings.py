"""The Commitments and Savings cockpit pages in Streamlit's AppTest on marts built from the sample
exports and sample metrics: values equal the marts, a status saved in the page lands in the log,
and an empty marts folder says what is not produced yet."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app.audit import events
from app.users import User
from iac_gate.catalog import PriceCatalog
from ingest.metrics.lake import ingest_metrics
from ingest.pipeline import ingest
from ingest.samples import generate
from ingest.samples.metrics import generate_metrics
from models_ml.savings.inbox import current_statuses
from models_ml.savings.runner import run_savings
from orchestration.lib.publish import MARTS, ML_MARTS, publish_marts
from tests.conftest import END_DATE, run_dbt
from tests.e2e.browser import signed_in_cockpit, visit

pytestmark = pytest.mark.e2e
VIEWS = Path(__file__).resolve().parents[2] / "app" / "cockpit" / "views"


@pytest.fixture(scope="module")
def marts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cockpit_savings")
    landing, lake, wh = root / "landing", root / "lake", root / "warehouse.duckdb"
    generate(landing, end_date=END_DATE, months=3, seed=7, scale=0.35)
    generate_metrics(landing, END_DATE)
    ingest(str(landing), str(lake))
    ingest_metrics(str(landing), str(lake))
    run_dbt(lake, wh, "build", "--exclude", "tag:ml")
    run_savings(str(wh), str(lake), PriceCatalog())
    run_dbt(lake, wh, "build", "--select", "tag:ml")
    publish_marts(str(wh), str(root / "marts"), MARTS + ML_MARTS)
    return root / "marts"


def page(name: str, marts: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """Run one page signed in as a finance user (every team, may decide)."""
    monkeypatch.setenv("SIBYL_MARTS_DIR", str(marts))
    monkeypatch.setenv("SIBYL_LAKE_ROOT", str(marts.parent / "lake"))
    monkeypatch.setenv("SIBYL_USERS_FILE", str(marts.parent / "users.json"))
    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=60)
    at.session_state["user"] = User("ana", "finance", name="Ana")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_commitments_page_shows_the_marts_coverage(
    marts_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = page("commitments", marts_dir, monkeypatch)
    assert at.title[0].value == "Commitments"
    p = marts_dir / "fct_rate_optimization_daily.parquet"
    ((cov,),) = duckdb.execute(
        "select sum(covered_cost) / sum(eligible_cost) from read_parquet($p) where provider = 'aws'"
        " and service_category = 'Compute' and charge_date > (select max(charge_date) from read_parquet($p)) - interval 30 day",
        {"p": str(p)},
    ).fetchall()
    shown = {m.label: m.value for m in at.metric}
    assert any("Coverage, last 30 days" in h.value for h in at.subheader)
    assert shown["aws Compute"] == f"{float(cov):.1%}"
    assert any("Purchase recommendations" in h.value for h in at.subheader)


def test_savings_page_totals_and_status_workflow(
    marts_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = page("savings", marts_dir, monkeypatch)
    assert at.title[0].value == "Savings"
    rows = duckdb.execute(
        "select opportunity_id, monthly_savings from read_parquet($p) where status = 'open'",
        {"p": str(marts_dir / "fct_savings_opportunities.parquet")},
    ).fetchall()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Open opportunities"] == str(len(rows))
    total = sum((Decimal(r[1]) for r in rows), Decimal(0))
    assert shown["Available per month"] == f"${float(total):,.2f}"
    chosen = at.selectbox[0].value
    at.radio[0].set_value("dismissed")
    at.text_area[0].set_value("needed for the quarter close")
    at.button[0].click().run()
    assert not at.exception
    lake = str(marts_dir.parent / "lake")
    assert current_statuses(lake)[chosen]["status"] == "dismissed"
    assert current_statuses(lake)[chosen]["changed_by"] == "ana"  # the signed-in user
    assert any(e.actor == "ana" and e.action == "dismiss" for e in events(lake))


def test_pages_say_what_is_not_produced_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("commitments", "savings"):
        at = page(name, tmp_path, monkeypatch)
        assert any("has not been produced yet" in i.value for i in at.info), name


def test_savings_pages_render_in_headless_chromium(marts_dir: Path, tmp_path: Path) -> None:
    """The finance role (not admin) sees the commitments and savings pages render."""
    from app.demo_users import ensure_demo_users

    users = tmp_path / "users.json"
    ensure_demo_users(str(users))
    env = {
        "SIBYL_MARTS_DIR": str(marts_dir),
        "SIBYL_LAKE_ROOT": str(marts_dir.parent / "lake"),
        "SIBYL_DATA_DIR": str(tmp_path),
        "SIBYL_USERS_FILE": str(users),
    }
    with signed_in_cockpit(env, "finance", "finance-demo", window="1400,1100") as (browser, base):
        for url, title in (
            ("commitments", "Commitments"),
            ("savings", "Savings"),
            ("overview", "Overview"),
        ):
            visit(browser, base, url, title, tmp_path / f"{url}.png")
