"""The AI page's queries: team scope applied to every AI mart, dimensions from a constant map,
budget state filtered to the agents a team user can see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from app.cockpit import ai_queries as aq
from app.cockpit.queries import Marts
from models_ml.ai_budget import AiBudget, Spend, ai_budget_state, publish_state

D1 = dt.date(2026, 11, 1)


def marts(tmp: Path) -> Path:
    money = pl.Decimal(38, 10)
    pl.DataFrame(
        {
            "usage_date": [D1, D1],
            "ai_provider": ["openai", "anthropic"],
            "model": ["gpt-4o", "claude-haiku-4-5"],
            "team_id": ["crm", "notifications"],
            "billed_via": ["api", "api"],
            "billing_currency": ["USD", "USD"],
            "tokens": [1000, 3000],
            "input_tokens": [800, 2000],
            "output_tokens": [200, 1000],
            "cache_read_tokens": [0, 0],
            "cost": [Decimal("1.50"), Decimal("4.00")],
            "cache_savings": [Decimal("0"), Decimal("0.25")],
        },
        schema_overrides={"cost": money, "cache_savings": money},
    ).write_parquet(tmp / "fct_ai_costs_daily.parquet")
    pl.DataFrame(
        {
            "usage_date": [D1, D1],
            "agent": ["support-bot", "ticket-triage"],
            "team_id": ["crm", "notifications"],
            "tokens": [1000, 3000],
            "cost": [Decimal("1.50"), Decimal("4.00")],
            "calls": [3, 9],
            "sessions": [1, 1],
        },
        schema_overrides={"cost": money},
    ).write_parquet(tmp / "fct_ai_agents_daily.parquet")
    return tmp


def test_team_scope_on_ai_marts(tmp_path: Path) -> None:
    d = str(marts(tmp_path))
    _, rows = aq.spend_over_time(Marts(d), "provider")
    assert sorted(r[1] for r in rows) == ["anthropic", "openai"]
    _, rows = aq.spend_over_time(Marts(d, teams=("crm",)), "provider")
    assert [(r[1], r[3]) for r in rows] == [("openai", Decimal("1.5"))]
    _, rows = aq.top_agents(Marts(d, teams=("notifications",)))
    assert [r[0] for r in rows] == ["ticket-triage"]
    cols, rows = aq.models_table(Marts(d))
    per_1k = {r[1]: r[cols.index("cost_per_1k_tokens")] for r in rows}
    assert per_1k["gpt-4o"] == Decimal("1.5")  # $1.50 for 1,000 tokens


def test_dimension_must_be_known(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        aq.spend_over_time(Marts(str(marts(tmp_path))), "model; drop table x")


def test_budget_state_for_visible_agents(tmp_path: Path) -> None:
    b = [
        AiBudget("a", "agent", "ticket-triage", Decimal(10)),
        AiBudget("p", "provider", "openai", Decimal(10)),
    ]
    lines = [Spend(D1, "litellm", Decimal(1), {"agent": "ticket-triage", "provider": "openai"})]
    publish_state(ai_budget_state(b, lines, D1), [], tmp_path)
    m = Marts(str(tmp_path))
    assert {r["scope"] for r in aq.budget_state(m, None)} == {
        "agent:ticket-triage",
        "provider:openai",
    }
    assert [r["scope"] for r in aq.budget_state(m, {"ticket-triage"})] == ["agent:ticket-triage"]
    assert aq.budget_state(m, set()) == []
