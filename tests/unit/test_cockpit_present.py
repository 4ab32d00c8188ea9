"""The presentation layer: money, percentages, frames, totals, palettes and axes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.cockpit import charts
from app.cockpit import present as p


def test_money_has_symbol_separators_and_sign() -> None:
    assert p.money(Decimal("1234567.891"), "USD") == "$1,234,567.89"
    assert p.money(Decimal("-12"), "EUR") == "-€12.00"
    assert p.money(Decimal("1000"), "CHF") == "1,000.00 CHF"
    assert p.money(None) == "—"
    assert p.money(float("nan")) == "—"
    # exact: a Decimal is never rounded through a float
    assert p.money(Decimal("0.125"), "USD") == "$0.12"  # banker's rounding of the exact value
    assert p.money(Decimal("2.675"), "USD") == "$2.68"  # float(2.675) would print 2.67


def test_pct_one_decimal_and_change() -> None:
    assert p.pct(12.345) == "12.3%"
    assert p.pct(4, signed=True) == "+4.0%"
    assert p.pct(None) == "—"
    assert p.change_pct(Decimal("110"), Decimal("100")) == pytest.approx(10.0)
    assert p.change_pct(Decimal("90"), Decimal("-100")) == pytest.approx(190.0)
    assert p.change_pct(Decimal("5"), Decimal("0")) is None


def test_dates_carry_years() -> None:
    assert p.day(dt.date(2026, 10, 3)) == "3 Oct 2026"
    assert p.month(dt.date(2025, 1, 1)) == "Jan 2025"


def test_to_frame_converts_decimals_when_the_first_row_is_null() -> None:
    # the ×10¹⁰ bug: row 0 null left the column as Decimal objects, charts drew them unscaled
    rows = [(dt.date(2026, 10, 1), None), (dt.date(2026, 10, 2), Decimal("3712.4567890123"))]
    df = p.to_frame(["ds", "actual"], rows)
    assert df["actual"].dtype == float
    assert df["actual"].isna().iloc[0]
    assert df["actual"].iloc[1] == pytest.approx(3712.4567890123)
    mixed = p.to_frame(["x"], [(None,), (None,), (Decimal("1.5"),), (None,)])
    assert mixed["x"].dtype == float and mixed["x"].sum() == 1.5


def test_total_row_and_share_add_up() -> None:
    df = p.to_frame(
        ["value", "currency", "cost"],
        [("a", "USD", Decimal("30")), ("b", "USD", Decimal("10")), ("c", "USD", Decimal("60"))],
    )
    out = p.with_total_and_share(df, "cost", "value")
    assert list(out["value"]) == ["a", "b", "c", "Total"]
    assert out["cost"].iloc[-1] == 100.0
    assert list(out["share_pct"].iloc[:3]) == [30.0, 10.0, 60.0]
    two = p.to_frame(
        ["value", "currency", "cost"],
        [("a", "USD", Decimal("30")), ("b", "EUR", Decimal("10"))],
    )
    out2 = p.with_total_and_share(two, "cost", "value")
    assert set(out2["value"].iloc[2:]) == {"Total USD", "Total EUR"}  # never adds currencies


def test_palette_never_repeats_and_legend_is_sorted_by_cost() -> None:
    names = [f"s{i}" for i in range(11)] + ["other"]
    df = p.to_frame(
        ["series", "cost"], [(n, float(i if n != "other" else 100)) for i, n in enumerate(names)]
    )
    order = charts.sorted_series(df, "series", "cost")
    assert order[0] == "s10" and order[-1] == "other" and len(order) == 12
    enc = charts.colour(order, "service").to_dict()
    colours = enc["scale"]["range"]
    assert len(set(colours)) == len(colours) == 12
    assert enc["scale"]["domain"] == order
    with pytest.raises(ValueError, match="series"):
        charts.colour([f"x{i}" for i in range(30)], "too many")


def test_monthly_axis_uses_a_month_time_unit_with_years() -> None:
    x = charts.time_x("period", "monthly").to_dict()
    assert x["timeUnit"] == "yearmonth" and x["axis"]["format"] == "%b %Y"
    d = charts.time_x("period", "daily").to_dict()
    assert d["timeUnit"] == "yearmonthdate" and "%Y" in d["axis"]["format"]


def test_labels_are_friendly() -> None:
    assert p.label("pct_cost_tagged") == "% of cost tagged"
    assert p.label("owner_team_id") == "Owner"
    assert p.label("some_new_column") == "Some new column"


def test_timestamps_read_as_utc_with_year() -> None:
    assert p.timestamp("2026-12-02T14:44:21.795883+00:00") == "2 Dec 2026 14:44 UTC"
    assert p.timestamp("2026-12-02T15:44:21+01:00") == "2 Dec 2026 14:44 UTC"
    assert p.timestamp(None) == "—" and p.timestamp("garbage") == "garbage"
