"""AI budgets and the breaker at agent/session/model scopes, and `sibyl budget check`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from app.ai_budget_cli import budget_check
from models_ml.ai_budget import (
    AiBudget,
    Spend,
    add_state_override,
    ai_budget_state,
    check,
    daily_spend,
    load_ai_budgets,
    publish_state,
)
from models_ml.budget import BudgetFileError, Override

D = Decimal
DAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 18, tzinfo=dt.UTC)


def spend(day: dt.date, cost: str, agent: str = "triage", source: str = "litellm") -> Spend:
    return Spend(day, source, D(cost), {"agent": agent, "provider": "openai", "model": "gpt-4o"})


def history(today: str) -> list[Spend]:
    out = [spend(DAY - dt.timedelta(days=i), "2.00") for i in range(1, 8)]
    return [*out, spend(DAY, today)]


def test_tiers_and_trip_at_90_pct() -> None:
    b = AiBudget("t", "agent", "triage", D(100), period="monthly")
    (r,) = ai_budget_state([b], [spend(DAY, "86")], DAY, now=NOW)
    assert (r["thresholds_crossed"], r["alert_tier"], r["breaker_state"]) == (
        [50, 75, 85],
        85,
        "closed",
    )
    (r,) = ai_budget_state([b], [spend(DAY, "91")], DAY, now=NOW)
    assert r["breaker_state"] == "open" and "91.0%" in r["breaker_reason"]


def test_spike_over_ten_times_normal_trips() -> None:
    b = AiBudget("t", "agent", "triage", D(1000), period="monthly")
    (calm,) = ai_budget_state([b], history("19.99"), DAY, now=NOW)
    assert calm["breaker_state"] == "closed"  # 9.995x the normal $2/day
    (r,) = ai_budget_state([b], history("20.01"), DAY, now=NOW)
    assert r["breaker_state"] == "open" and "10.0x" in r["breaker_reason"]
    assert r["normal_daily"] == "2.00"


def test_credits_nearly_used() -> None:
    b = AiBudget("c", "provider", "openai", D(10_000), period="monthly", credit_balance=D(100))
    (r,) = ai_budget_state([b], [spend(DAY, "95")], DAY, now=NOW)
    assert r["breaker_state"] == "open" and "credits" in r["breaker_reason"]


def test_one_source_per_day_no_double_count() -> None:
    b = AiBudget("m", "model", "gpt-4o", D(100))
    lines = [spend(DAY, "3", source="openai_costs"), spend(DAY, "3.10", source="litellm")]
    assert daily_spend(b, lines) == {DAY: D("3")}


def test_override_half_opens_then_expires(tmp_path: Path) -> None:
    b = AiBudget("t", "agent", "triage", D(10))
    publish_state(ai_budget_state([b], [spend(DAY, "9.5")], DAY, now=NOW), [], tmp_path)
    assert check(tmp_path, "agent:triage", D("0.5"), now=NOW)["allowed"] is False
    until = NOW + dt.timedelta(hours=2)
    add_state_override(tmp_path, Override("agent:triage", until, "ana", "incident 42"))
    v = check(tmp_path, "agent:triage", D("0.5"), now=NOW)
    assert v["allowed"] is True and v["budgets"][0]["breaker_state"] == "half_open"
    assert v["budgets"][0]["would_exceed"] is False
    assert check(tmp_path, "agent:triage", D("0.6"), now=NOW)["budgets"][0]["would_exceed"]
    late = check(tmp_path, "agent:triage", D("0.5"), now=until + dt.timedelta(seconds=1))
    assert late["allowed"] is False and late["budgets"][0]["breaker_state"] == "open"


def test_estimate_that_would_pass_the_budget_is_blocked(tmp_path: Path) -> None:
    b = AiBudget("s", "session", "s1", D(5))
    lines = [Spend(DAY, "otlp", D("4.00"), {"session": "s1"})]  # 80%: closed
    publish_state(ai_budget_state([b], lines, DAY, now=NOW), [], tmp_path)
    assert check(tmp_path, "session:s1", D("0.30"), now=NOW)["allowed"] is True
    v = check(tmp_path, "session:s1", D("1.01"), now=NOW)
    assert v["allowed"] is False and "would pass" in v["budgets"][0]["reason"]
    assert check(tmp_path, "agent:unknown", D("1"), now=NOW)["note"].startswith("no AI budget")


def test_cli_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = AiBudget("t", "agent", "loop", D(10))
    publish_state(ai_budget_state([b], [spend(DAY, "9.5", agent="loop")], DAY), [], tmp_path)
    assert budget_check("agent:loop", "0.50", tmp_path) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["allowed"] is False and out["budgets"][0]["breaker_state"] == "open"
    assert budget_check("agent:other", "0.50", tmp_path) == 0
    assert budget_check("agent:loop", "-1", tmp_path) == 2
    assert budget_check("agent:loop", "0.5", tmp_path / "missing") == 2


def test_cli_end_to_end(tmp_path: Path) -> None:
    b = AiBudget("t", "agent", "loop", D(10))
    publish_state(ai_budget_state([b], [spend(DAY, "1", agent="loop")], DAY), [], tmp_path)
    cmd = [sys.executable, "-m", "app.cli", "budget", "check", "--scope", "agent:loop"]
    p = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [*cmd, "--estimate-cost", "0.50"],
        capture_output=True,
        text=True,
        env={"SIBYL_MARTS_DIR": str(tmp_path), "PATH": ""},
        check=False,
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["allowed"] is True


def test_budget_file_errors_name_row_and_column(tmp_path: Path) -> None:
    f = tmp_path / "ai_budgets.csv"
    f.write_text("budget_id,scope_type,scope_value,amount\nb1,planet,x,10\nb2,agent,a,-3\n")
    with pytest.raises(BudgetFileError) as e:
        load_ai_budgets(f)
    assert "ai_budgets.csv:2 column scope_type" in str(e.value)
    assert "ai_budgets.csv:3 column amount" in str(e.value)
    f.write_text("budget_id,scope_type,scope_value,amount,period\nb1,agent,a,10,daily\n")
    (b,) = load_ai_budgets(f)
    assert b.thresholds == (50, 75, 85, 95) and b.breaker_trip_pct == 90


def test_state_check_and_override_in_a_bucket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The state under a URL marts folder (fsspec's in-memory store standing in for a bucket; the
    emulators run in tests/e2e/test_remote_ai_budget.py); the CLI finds it through the settings."""
    from models_ml.ai_budget import read_state

    root = f"memory://ai-{uuid.uuid4().hex}"
    marts = f"{root}/marts"
    b = AiBudget("t", "agent", "loop", D(10))
    assert read_state(marts) is None
    where = publish_state(ai_budget_state([b], [spend(DAY, "9.5", agent="loop")], DAY), [], marts)
    assert where.endswith("/marts/ai_budget_state.json") and not list(tmp_path.iterdir())
    assert check(marts, "agent:loop", D("0.5"), now=NOW)["budgets"][0]["breaker_state"] == "open"
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)  # the CLI checks at the real now
    add_state_override(marts, Override("agent:loop", until, "ana", "incident"))
    doc = read_state(marts)
    assert doc is not None and doc["overrides"][0]["until"] == until.isoformat()
    v = check(marts, "agent:loop", D("0.5"), now=NOW)  # the cache sees the new object
    assert v["allowed"] is True and v["budgets"][0]["breaker_state"] == "half_open"

    for var in ("SIBYL_MARTS_DIR", "SIBYL_STATE_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SIBYL_DATA_DIR", root)  # no SIBYL_MARTS_DIR: the settings' default
    assert budget_check("agent:loop", "0.50") == 0
    assert json.loads(capsys.readouterr().out)["budgets"][0]["breaker_state"] == "half_open"
    monkeypatch.setenv("SIBYL_DATA_DIR", f"memory://ai-{uuid.uuid4().hex}")
    assert budget_check("agent:loop", "0.50") == 2  # nothing published there
    assert "no published AI budget state" in capsys.readouterr().err


def test_a_state_object_past_the_bound_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import models_ml.ai_budget as ab

    marts = f"memory://ai-{uuid.uuid4().hex}/marts"
    b = AiBudget("t", "agent", "loop", D(10))
    publish_state(ai_budget_state([b], [spend(DAY, "1", agent="loop")], DAY), [], marts)
    monkeypatch.setattr(ab, "MAX_STATE_BYTES", 100)  # the document is larger than 100 bytes
    with pytest.raises(ValueError, match="larger than 100 bytes"):
        ab.read_state(marts)
    assert budget_check("agent:loop", "0.5", marts) == 2  # "unreadable state", exit 2
