"""AI spend end to end: the sample's four sources ingested, dbt builds the AI marts and adds the
direct API spend to fct_charges once (reconciled per provider and month against the generator's
own Decimal totals), and the runaway agent is refused by `sibyl budget check`."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from app.cockpit.present import money
from ingest.ai.runs import run_ai_budgets, run_ai_ingest
from ingest.samples.ai import generate_ai
from tests.conftest import run_dbt

pytestmark = pytest.mark.e2e
END = dt.date(2026, 11, 30)
SIBYL = Path(sys.executable).parent / "sibyl"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("ai")
    truth = generate_ai(root / "landing", END, days=21, seed=3)
    report = run_ai_ingest(str(root / "landing"), str(root / "lake"), "")
    assert not report.quarantined
    run_dbt(root / "lake", root / "wh.duckdb", "build", "--exclude", "tag:ml")
    run_ai_budgets(str(root / "lake"), str(root / "marts"), "")
    from orchestration.defs.ai.assets import AI_MARTS
    from orchestration.lib.publish import publish_marts

    publish_marts(str(root / "wh.duckdb"), str(root / "marts"), AI_MARTS)
    from app.demo_users import ensure_demo_users

    ensure_demo_users(str(root / "users.json"))
    return root, truth


def q(root: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_direct_ai_spend_in_fct_charges_once(built) -> None:
    root, truth = built
    got = dict(
        q(root, "select provider, sum(billed_cost) from marts.fct_charges group by 1 order by 1")
    )
    assert set(got) == {"anthropic", "openai"}
    for provider, total in truth["totals"].items():
        assert abs(got[provider] - Decimal(total)) < Decimal("0.01")
    assert q(root, "select bool_and(is_reconciled) from marts.fct_reconciliation") == [(True,)]
    teams = {
        r[0]
        for r in q(root, "select distinct team_id from marts.fct_charges where billed_cost > 0")
    }
    assert teams == {"crm", "llm-apps", "ci-cd", "notifications"}  # examples/ai/ai_team_map.csv


def test_ai_marts(built) -> None:
    root, truth = built
    [(session, agent)] = q(
        root, "select session_id, agent from marts.fct_ai_sessions order by cost desc limit 1"
    )
    assert agent == truth["runaway"]["agent"] and session.endswith("loop")
    rec = q(root, "select count(*), bool_and(is_reconciled) from marts.fct_ai_reconciliation")
    assert rec[0][0] > 0 and rec[0][1] is True
    assert q(
        root, "select count(*) from marts.fct_ai_costs_daily where cost_per_1k_tokens is null"
    ) == [(0,)]


def test_budget_check_refuses_the_runaway_agent(built) -> None:
    root, truth = built
    env = {**os.environ, "SIBYL_MARTS_DIR": str(root / "marts")}
    cmd = [str(SIBYL), "budget", "check", "--estimate-cost", "0.50", "--scope"]
    p = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [*cmd, f"agent:{truth['runaway']['agent']}"], env=env, capture_output=True, text=True
    )
    assert p.returncode == 1, p.stderr
    assert json.loads(p.stdout)["budgets"][0]["breaker_state"] == "open"
    ok = subprocess.run(  # noqa: S603
        [*cmd, "agent:support-bot"], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr


def ai_page(root: Path, monkeypatch, username: str):  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    from app.users import load

    monkeypatch.setenv("SIBYL_MARTS_DIR", str(root / "marts"))
    monkeypatch.setenv("SIBYL_DATA_DIR", str(root))
    monkeypatch.setenv("SIBYL_USERS_FILE", str(root / "users.json"))
    views = Path(__file__).resolve().parents[2] / "app" / "cockpit" / "views"
    at = AppTest.from_file(str(views / "ai_spend.py"), default_timeout=60)
    at.session_state["user"] = load(root / "users.json")[username]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "AI spend"
    return at


def test_ai_page_admin_and_team_scope(built, monkeypatch) -> None:
    root, truth = built
    at = ai_page(root, monkeypatch, "admin")
    total = sum(Decimal(v) for v in truth["totals"].values())
    assert at.metric[0].value == money(total, "USD")
    assert any(truth["runaway"]["agent"] in e.value for e in at.error)  # breaker open banner
    eng = ai_page(root, monkeypatch, "payments-lead")  # payments, checkout: no AI agents
    assert any("No AI spend" in i.value for i in eng.info)  # nothing of other teams is shown
