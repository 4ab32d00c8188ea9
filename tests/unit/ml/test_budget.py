"""models_ml.budget: budgets as validated data, status arithmetic in Decimal, alert levels, breaker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from models_ml.budget import (
    Budget,
    BudgetFileError,
    Override,
    alert_level,
    breaker_state,
    budget_status,
    load_budgets,
    period_bounds,
)

REPO = Path(__file__).resolve().parents[3]
UTC = dt.UTC


def test_the_shipped_budgets_file_is_valid() -> None:
    budgets = load_budgets(REPO / "dbt_project" / "seeds" / "budgets.csv")
    assert {b.scope_type for b in budgets} == {
        "organization",
        "business_group",
        "business_unit",
        "team",
        "service",
        "environment",
        "provider",
    }
    assert {b.period for b in budgets} == {"monthly", "quarterly", "yearly"}
    org = next(b for b in budgets if b.scope_type == "organization")
    assert (
        org.thresholds == (50, 80, 100, 120)
        and org.breaker_trip_pct == 90
        and org.scope == "organization:*"
    )


def test_bad_budget_rows_are_named_by_file_row_and_column(tmp_path: Path) -> None:
    f = tmp_path / "budgets.csv"
    f.write_text(
        "budget_id,scope_type,scope_value,amount,currency,period,alert_thresholds\n"
        "a,team,payments,-5,USD,monthly,\n"
        "b,squad,x,10,USD,monthly,\n"
        "c,team,y,10,USD,weekly,\n"
        "d,team,z,10,USD,monthly,80|50\n"
        "a,team,w,10,USD,monthly,\n"
    )
    with pytest.raises(BudgetFileError) as e:
        load_budgets(f)
    msg = str(e.value)
    assert f"{f}:2 column amount" in msg and f"{f}:3 column scope_type" in msg
    assert f"{f}:4 column period" in msg and f"{f}:5 column alert_thresholds" in msg
    assert f"{f}:6 column budget_id: 'a' appears twice" in msg
    with pytest.raises(BudgetFileError, match="not found"):
        load_budgets(tmp_path / "nope.csv")


def test_period_bounds() -> None:
    assert period_bounds("monthly", dt.date(2026, 2, 14)) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert period_bounds("quarterly", dt.date(2026, 11, 23)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert period_bounds("yearly", dt.date(2024, 6, 1)) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )


def _daily(start: dt.date, days: int, amount: str) -> dict[dt.date, Decimal]:
    return {start + dt.timedelta(days=i): Decimal(amount) for i in range(days)}


def test_status_arithmetic_projection_and_exhaustion() -> None:
    b = Budget("t", "team", "payments", Decimal("3000"), "USD")
    actuals = {("team", "payments", "USD"): _daily(dt.date(2026, 11, 1), 10, "100.005")}
    [row] = budget_status(
        [b], actuals, {}, dt.date(2026, 11, 10), now=dt.datetime(2026, 11, 11, tzinfo=UTC)
    )
    assert row["actual_cost_to_date"] == Decimal("1000.05")
    assert row["daily_burn_rate"] == Decimal("100.01")  # 100.005 rounded half up
    assert row["projected_period_end_linear"] == Decimal("3000.15")  # 1000.05 + 20 days x 100.005
    assert row["projection_method"] == "linear" and row["projected_period_end_forecast"] is None
    assert row["projected_exhaustion_date"] == dt.date(2026, 11, 30)
    assert row["pct_used"] == pytest.approx(33.34) and row["thresholds_crossed"] == ""
    assert row["forecast_thresholds_crossed"] == "50|80|100" and row["alert_level"] == "orange"
    assert row["breaker_state"] == "closed"


def test_forecast_projection_is_used_when_it_covers_the_rest_of_the_period() -> None:
    b = Budget("t", "team", "payments", Decimal("3000"), "USD")
    key = ("team", "payments", "USD")
    actuals = {key: _daily(dt.date(2026, 11, 1), 10, "100")}
    fc = {key: {dt.date(2026, 11, 10) + dt.timedelta(days=i): 50.004 for i in range(1, 40)}}
    [row] = budget_status([b], actuals, fc, dt.date(2026, 11, 10))
    assert row["projection_method"] == "forecast"
    assert row["projected_period_end_forecast"] == Decimal("2000.00")  # 1000 + 20 x 50.00
    assert row["projected_period_end_cost"] == Decimal("2000.00")
    assert row["projected_exhaustion_date"] is None


def test_breaker_trips_fast_burn_early_or_any_overrun() -> None:
    key = ("team", "payments", "USD")
    b = Budget("t", "team", "payments", Decimal("1000"), "USD")
    # 92% used on day 10 of 30: more than 25% of the period left -> open
    early = budget_status(
        [b], {key: _daily(dt.date(2026, 11, 1), 10, "92")}, {}, dt.date(2026, 11, 10)
    )[0]
    assert early["breaker_state"] == "open" and "92.0%" in early["breaker_reason"]
    # 92% used on day 28 of 30: late in the period, under 100% -> closed
    late = budget_status(
        [b], {key: _daily(dt.date(2026, 11, 1), 28, "32.857")}, {}, dt.date(2026, 11, 28)
    )[0]
    assert late["pct_used"] == pytest.approx(92.0, abs=0.01) and late["breaker_state"] == "closed"
    # over 100% at any time -> open, red
    over = budget_status(
        [b], {key: _daily(dt.date(2026, 11, 1), 28, "40")}, {}, dt.date(2026, 11, 28)
    )[0]
    assert over["breaker_state"] == "open" and over["alert_level"] == "red"
    assert over["thresholds_crossed"] == "50|80|100" and over["highest_threshold_crossed"] == 100


def test_forecast_basis_trips_before_the_money_is_spent() -> None:
    key = ("team", "llm", "USD")
    actual = Budget("a", "team", "llm", Decimal("3000"), "USD")
    fore = Budget("f", "team", "llm", Decimal("3000"), "USD", breaker_basis="forecast")
    acts = {key: _daily(dt.date(2026, 11, 1), 10, "100")}  # 33% used
    fc = {
        key: {dt.date(2026, 11, 10) + dt.timedelta(days=i): 200.0 for i in range(1, 40)}
    }  # heading to 5000
    a, f = budget_status([actual, fore], acts, fc, dt.date(2026, 11, 10))
    assert a["breaker_state"] == "closed"
    assert f["breaker_state"] == "open" and "projected" in f["breaker_reason"]


def test_override_half_opens_until_it_expires() -> None:
    now = dt.datetime(2026, 11, 20, tzinfo=UTC)
    o = Override("team:payments", dt.datetime(2026, 11, 25, tzinfo=UTC), "alice", "launch week")
    assert breaker_state(True, "team:payments", "t", [o], now) == ("half_open", o)
    assert breaker_state(True, "team:payments", "t", [o], now + dt.timedelta(days=6))[0] == "open"
    assert breaker_state(True, "team:search", "t", [o], now)[0] == "open"
    assert breaker_state(False, "team:payments", "t", [o], now)[0] == "closed"
    by_id = Override("budget:t", dt.datetime(2026, 11, 25, tzinfo=UTC), "bob")
    assert breaker_state(True, "team:payments", "t", [by_id], now)[0] == "half_open"


def test_alert_levels() -> None:
    assert alert_level([], []) == "green"
    assert alert_level([50], [50]) == "yellow"
    assert alert_level([], [50, 80]) == "yellow"
    assert alert_level([50, 80], [50, 80]) == "orange"
    assert alert_level([50], [50, 80, 100]) == "orange"
    assert alert_level([50, 80, 100], [50, 80, 100]) == "red"
