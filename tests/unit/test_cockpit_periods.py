"""Honest periods: full months, YTD, short month-to-date, partial months."""

from __future__ import annotations

import datetime as dt

from app.cockpit.periods import partial_months, periods_for

D = dt.date


def test_on_the_first_the_last_full_month_is_the_one_before() -> None:
    p = periods_for(D(2026, 11, 1), D(2025, 11, 1))
    assert p.last_month == (D(2026, 10, 1), D(2026, 10, 31))
    assert p.prior_month == (D(2026, 9, 1), D(2026, 9, 30))
    assert p.mtd == (D(2026, 11, 1), D(2026, 11, 1)) and p.mtd_days == 1 and p.mtd_is_short
    assert p.ytd == (D(2026, 1, 1), D(2026, 11, 1))
    assert p.last_30 == (D(2026, 10, 3), D(2026, 11, 1))
    assert p.prior_30 == (D(2026, 9, 3), D(2026, 10, 2))


def test_on_the_last_day_the_month_itself_is_full() -> None:
    p = periods_for(D(2026, 2, 28), D(2025, 1, 1))
    assert p.last_month == (D(2026, 2, 1), D(2026, 2, 28))
    assert p.prior_month == (D(2026, 1, 1), D(2026, 1, 31))
    assert not p.mtd_is_short


def test_january_compares_with_december_of_the_year_before() -> None:
    p = periods_for(D(2026, 1, 20), D(2025, 6, 15))
    assert p.last_month == (D(2025, 12, 1), D(2025, 12, 31))
    assert p.prior_month == (D(2025, 11, 1), D(2025, 11, 30))
    assert p.covered(p.prior_month)
    late = periods_for(D(2026, 1, 20), D(2025, 11, 10))
    assert not late.covered(late.prior_month)  # data starts mid-November: partial


def test_partial_months_are_the_first_and_current_when_cut() -> None:
    assert partial_months(D(2026, 8, 10), D(2026, 10, 20)) == [D(2026, 8, 1), D(2026, 10, 1)]
    assert partial_months(D(2026, 8, 1), D(2026, 10, 31)) == []
