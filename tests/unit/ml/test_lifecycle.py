"""Owner, age and lifecycle of anomaly events (escalate / expire by a configured rule), and a level
shift as one ongoing event whose cost impact accumulates until it ends."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_ml.anomaly import detect, events
from models_ml.lifecycle import LifecycleRule, apply_lifecycle, owners

BASE = dt.date(2026, 1, 1)


def _frame(y: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {"series_id": "s", "ds": [BASE + dt.timedelta(days=i) for i in range(len(y))], "y": y}
    )


def _level(n: int, seed: int) -> np.ndarray:
    return 100 + np.clip(np.random.default_rng(seed).normal(0, 2, n), -5, 5)


def test_a_running_level_shift_is_one_ongoing_event_whose_impact_accumulates() -> None:
    y = _level(150, 1)
    y[100:] += 54.0  # a shift still running at the end of the data
    ev = events(detect(_frame(y), direction="up"))
    assert ev.height == 1
    e = ev.row(0, named=True)
    assert e["kind"] == "level_shift" and e["ongoing"]
    assert e["start_ds"].date() == BASE + dt.timedelta(days=100)
    assert e["end_ds"].date() == BASE + dt.timedelta(days=149) and e["points"] == 50
    # every day of the shift counts against the level expected before it: ~54 a day for 50 days
    assert e["impact"] == pytest.approx(54.0 * 50, rel=0.1)
    longer = np.concatenate([y, y[-10:]])
    later = events(detect(_frame(longer), direction="up")).row(0, named=True)
    assert later["event_id"] == e["event_id"]  # the same event, grown
    assert later["impact"] == pytest.approx(54.0 * 60, rel=0.1)


def test_a_level_shift_that_ended_is_closed_at_its_last_day() -> None:
    y = _level(160, 2)
    y[100:130] += 60.0
    e = events(detect(_frame(y), direction="up")).row(0, named=True)
    assert e["kind"] == "level_shift" and not e["ongoing"]
    assert e["end_ds"].date() == BASE + dt.timedelta(days=129)
    assert e["impact"] == pytest.approx(60.0 * 30, rel=0.1)


def test_a_spike_is_not_a_shift() -> None:
    y = _level(120, 3)
    y[90:92] *= 4
    e = events(detect(_frame(y), direction="up")).row(0, named=True)
    assert (e["kind"], e["ongoing"], e["points"]) == ("spike", False, 2)


def test_owners_come_from_the_scope() -> None:
    ev = pl.DataFrame(
        {
            "scope_type": ["team", "service", "service", "account", "provider"],
            "scope_value": ["payments", "Amazon S3", "Unowned", "111", "aws"],
        }
    )
    got = owners(ev, {"Amazon S3": "storage"}, {"111": "platform"}, "finops").to_list()
    assert got == ["payments", "storage", "finops", "platform", "finops"]


def test_lifecycle_escalates_and_expires_by_the_rule() -> None:
    as_of = dt.date(2026, 8, 31)
    d = dt.date
    ev = pl.DataFrame(
        {
            "event_id": ["new", "week_old", "july", "july_acked", "july_shift"],
            "start_date": [
                d(2026, 8, 30),
                d(2026, 8, 20),
                d(2026, 7, 3),
                d(2026, 7, 3),
                d(2026, 7, 3),
            ],
            "end_date": [d(2026, 8, 31), d(2026, 8, 22), d(2026, 7, 4), d(2026, 7, 4), as_of],
            "ongoing": [True, False, False, False, True],
        }
    )
    rule = LifecycleRule(escalate_after_days=7, expire_after_days=30)
    out = apply_lifecycle(ev, {"july_acked": "acknowledged"}, as_of, rule)
    assert dict(zip(out["event_id"], out["lifecycle"], strict=True)) == {
        "new": "open",
        "week_old": "escalated",  # 11 days old, nobody looked
        "july": "expired",  # ended 58 days ago, nobody looked
        "july_acked": "acknowledged",  # a human decision always wins
        "july_shift": "escalated",  # still running: never expires
    }
    assert out["age_days"].to_list() == [1, 11, 59, 59, 59]
    lenient = apply_lifecycle(ev, {}, as_of, LifecycleRule(30, 90))
    assert lenient["lifecycle"].to_list() == ["open", "open", "escalated", "escalated", "escalated"]
    with pytest.raises(ValueError):
        LifecycleRule(0, 30)


def test_a_weekend_spike_is_not_read_as_a_shift_against_weekday_levels() -> None:
    rng = np.random.default_rng(4)
    weekday = np.where(np.arange(140) % 7 < 5, 150.0, 100.0)  # weekends a third lower
    y = weekday + rng.normal(0, 2, 140)
    sat = next(i for i in range(100, 110) if i % 7 == 5)
    y[sat : sat + 2] += 120.0  # a two-day spike over a weekend
    e = events(detect(_frame(y), direction="up")).row(0, named=True)
    # the days after are weekdays, above the weekend level but not above their own
    assert (e["kind"], e["points"], e["ongoing"]) == ("spike", 2, False)


def test_growth_before_the_event_does_not_keep_it_open() -> None:
    rng = np.random.default_rng(6)
    y = 100 + 0.8 * np.arange(160) + rng.normal(0, 1.5, 160)  # steady growth
    y[120:122] += 60.0
    e = events(detect(_frame(y), direction="up")).row(0, named=True)
    assert e["kind"] == "spike" and e["points"] == 2
