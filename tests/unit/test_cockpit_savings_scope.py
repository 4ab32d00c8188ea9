"""Savings and commitments behind sign-in and team scope: an engineering user reads and decides on
its own teams' opportunities only, whatever filter the Savings page offers; org-level commitment
data is not read for it; a decision is made in the signed-in user's name and audited (page and CLI).

The marts are small hand-written Parquet files; expected values are the literals written here."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from app.audit import events
from app.cockpit import savings_queries as sq
from app.cockpit import statement as stm
from app.cockpit.queries import Marts
from app.users import User
from models_ml.savings.inbox import current_statuses

VIEWS = Path(__file__).resolve().parents[2] / "app" / "cockpit" / "views"
OPPS = [  # id, team, kind, saving/month, status, realised
    ("opp-pay-1", "payments", "rightsize", "120.50", "open", None),
    ("opp-pay-2", "payments", "idle", "30.25", "done", "28.00"),
    ("opp-chk-1", "checkout", "modernize", "10.00", "accepted", None),
    ("opp-sea-1", "search", "rightsize", "999.99", "open", None),
    ("opp-sea-2", "search", "idle", "555.55", "accepted", None),
    ("opp-org-1", "unallocated", "purchase", "4000.00", "open", None),
]
ENG = User("pat", "engineering", ("payments", "checkout"))
FIN = User("fran", "finance")
EXEC = User("casey", "executive")
OTHER = {"opp-sea-1", "opp-sea-2", "opp-org-1"}


def _write(folder: Path) -> None:
    con = duckdb.connect()
    con.execute(
        """create table o (opportunity_id varchar, provider varchar, resource_id varchar, team_id varchar,
           kind varchar, title varchar, monthly_savings decimal(18,2), confidence double,
           evidence_json varchar, status varchar, status_changed_by varchar, status_note varchar,
           realised_monthly_savings decimal(18,2))"""
    )
    for oid, team, kind, saving, status, realised in OPPS:
        con.execute(
            "insert into o values (?, 'aws', ?, ?, ?, ?, ?, 0.8, '{\"p95_cpu\": 3.1}', ?, null, null, ?)",
            [oid, f"i-{oid}", team, kind, f"{kind} {oid}", Decimal(saving), status,
             None if realised is None else Decimal(realised)],
        )  # fmt: skip
    con.execute(f"copy o to '{folder / 'fct_savings_opportunities.parquet'}' (format parquet)")
    con.execute(
        f"""copy (select date '2026-10-01' as charge_date, 'aws' as provider, 'USD' as billing_currency,
                  'Compute' as service_category, 80.0::decimal(18,2) as covered_cost,
                  100.0::decimal(18,2) as eligible_cost, 0.8 as coverage, 5.0::decimal(18,2) as unused_commitment_cost,
                  20.0::decimal(18,2) as total_savings, 150.0::decimal(18,2) as list_cost,
                  100.0::decimal(18,2) as effective_cost, 120.0::decimal(18,2) as contracted_cost)
            to '{folder / "fct_rate_optimization_daily.parquet"}' (format parquet)"""
    )
    con.close()


@pytest.fixture
def marts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "marts"
    folder.mkdir()
    _write(folder)
    monkeypatch.setenv("SIBYL_MARTS_DIR", str(folder))
    monkeypatch.setenv("SIBYL_LAKE_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("SIBYL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SIBYL_USERS_FILE", str(tmp_path / "users.json"))
    return folder


def test_queries_read_only_the_users_teams_and_no_org_commitments(marts: Path) -> None:
    eng = Marts(str(marts), teams=ENG.team_scope)
    rows = sq.opportunities(eng)
    assert {r["opportunity_id"] for r in rows} == {"opp-pay-1", "opp-pay-2", "opp-chk-1"}
    t = sq.totals(rows)
    assert t["open"] == Decimal("120.50") and t["accepted"] == Decimal("10.00")
    assert t["realised"] == Decimal("28.00")
    assert sq.team_savings(eng, "search") == []  # another team's id through the statement
    assert stm.team_savings(eng, "search")[1] == []
    assert sq.rate_kpis_30d(eng) == [] and not sq.org_level_visible(eng)
    every = Marts(str(marts))
    assert sq.totals(sq.opportunities(every))["open"] == Decimal("5120.49")
    (rate,) = sq.rate_kpis_30d(every)
    assert float(rate["coverage"]) == pytest.approx(0.8)  # 80 / 100
    assert float(rate["esr_list_basis"]) == pytest.approx(50 / 150)


def _page(name: str, user: User | None) -> AppTest:
    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=60)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_pages_need_sign_in(marts: Path) -> None:
    for name in ("savings", "commitments"):
        at = _page(name, None)
        assert at.title[0].value == "Sign in to Sibyl"
        assert not at.dataframe and not at.metric


def test_an_engineering_user_sees_no_other_team_through_any_filter(marts: Path) -> None:
    at = _page("savings", ENG)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Open opportunities"] == "1"
    assert metrics["Available per month"] == "$120.50"
    assert set(at.multiselect(key="s_team").options) == {"payments", "checkout"}
    at.multiselect(key="s_status").set_value(list(sq.STATUSES)).run()
    for kind in at.multiselect(key="s_kind").options:
        at.multiselect(key="s_kind").set_value([kind]).run()
        assert not at.exception
        if at.dataframe:
            assert set(at.dataframe[0].value["opportunity_id"]).isdisjoint(OTHER)
            assert set(at.dataframe[0].value["team_id"]) <= {"payments", "checkout"}
        if at.selectbox:
            assert set(at.selectbox(key="s_pick").options).isdisjoint(OTHER)
    at.multiselect(key="s_kind").set_value([]).run()
    shown = set(at.dataframe[0].value["opportunity_id"])
    assert shown == {"opp-pay-1", "opp-pay-2", "opp-chk-1"}
    com = _page("commitments", ENG)
    assert not com.metric and not com.dataframe
    assert any("whole organization" in i.value for i in com.info)


def test_a_decision_is_made_in_the_signed_in_users_name_and_audited(marts: Path) -> None:
    lake = str(marts.parent / "lake")
    at = _page("savings", ENG)
    assert not at.text_input  # no typed-in name
    chosen = at.selectbox(key="s_pick").value
    assert chosen == "opp-pay-1"  # the largest of the user's open ones
    at.radio[0].set_value("dismissed")
    at.text_area[0].set_value("the batch needs the headroom at quarter close")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    s = current_statuses(lake)[chosen]
    assert (s["status"], s["changed_by"]) == ("dismissed", "pat")
    (ev,) = [e for e in events(lake) if e.action == "dismiss"]
    assert (ev.actor, ev.role, ev.target) == ("pat", "engineering", f"savings {chosen}")
    fin = _page("savings", FIN)
    # finance reads every team; the dismissal counts at once: 5120.49 - 120.50
    assert {m.label: m.value for m in fin.metric}["Available per month"] == "$4,999.99"
    exe = _page("savings", EXEC)
    assert not exe.button and any("not change" in c.value for c in exe.caption)


def test_another_teams_opportunity_is_refused_and_the_cli_audits(marts: Path) -> None:
    from app.savings_actions import decide
    from models_ml.savings.inbox import InboxError

    lake = str(marts.parent / "lake")
    mine = {r["opportunity_id"] for r in sq.opportunities(Marts(str(marts), ENG.team_scope))}
    with pytest.raises(InboxError):
        decide(lake, "opp-sea-1", "accepted", "pat", "engineering", known_ids=mine)
    assert "opp-sea-1" not in current_statuses(lake) and not events(lake)

    from app.savings_cli import savings_set_status
    from orchestration.settings import Settings

    assert savings_set_status(Settings.from_env(), "opp-sea-1", "accepted", "ops", "") == 0
    (ev,) = events(lake)
    assert (ev.actor, ev.role, ev.action, ev.target) == (
        "ops",
        "cli",
        "accept",
        "savings opp-sea-1",
    )


def test_overview_savings_totals_are_the_users_teams(marts: Path) -> None:
    from tests.unit.test_cockpit_scope import _write as write_daily_costs

    write_daily_costs(marts)
    eng = {m.label: m.value for m in _page("overview", ENG).metric}
    assert eng["Savings available (open, per month)"] == "$120.50"  # opp-pay-1 only
    assert eng["Savings realised (measured, per month)"] == "$28.00"
    fin = {m.label: m.value for m in _page("overview", FIN).metric}
    assert fin["Savings available (open, per month)"] == "$5,120.49"  # every team's open ones
