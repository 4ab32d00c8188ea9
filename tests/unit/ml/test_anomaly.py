"""models_ml.anomaly on crafted series: a spike, a level shift, a trend, a flat series, a 5-point
series, missing days; events, root cause."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

from models_ml.anomaly import OUTPUT, describe_path, detect, event_id, events, explain
from models_ml.frames import SeriesFrameError

BASE = dt.date(2026, 1, 1)


def series(
    sid: str, y: np.ndarray | list[float], start: dt.date = BASE, step_days: int = 1
) -> pl.DataFrame:
    y = np.asarray(y, dtype=float)
    return pl.DataFrame(
        {
            "series_id": [sid] * len(y),
            "ds": [start + dt.timedelta(days=i * step_days) for i in range(len(y))],
            "y": y,
        }
    )


def weekly(n: int = 120, seed: int = 0, level: float = 100.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (
        level
        + 0.1 * level * (np.arange(n) % 7 >= 5)
        + np.clip(rng.normal(0, 0.02 * level, n), -0.05 * level, 0.05 * level)
    )


def flagged(scored: pl.DataFrame, sid: str) -> list[int]:
    s = scored.filter(pl.col("series_id") == sid).with_row_index("i")
    return s.filter(pl.col("is_anomaly"))["i"].to_list()


@pytest.fixture(scope="module")
def crafted() -> pl.DataFrame:
    spike = weekly(seed=1)
    spike[90] *= 4
    shift = weekly(seed=2)
    shift[80:] *= 2
    # noise clipped at 2.5σ: a genuine 3σ outlier in the noise would rightly be flagged
    trend = (
        50 + np.arange(120) * 1.0 + np.clip(np.random.default_rng(3).normal(0, 1, 120), -2.5, 2.5)
    )
    return pl.concat(
        [
            series("spike", spike),
            series("shift", shift),
            series("trend", trend),
            series("flat", np.full(120, 10.0)),
            series("short", [10, 11, 10, 9, 40.0]),
            series("clean", weekly(seed=4)),
        ]
    )


@pytest.fixture(scope="module")
def scored(crafted: pl.DataFrame) -> pl.DataFrame:
    return detect(crafted)


def test_output_has_one_row_per_input_row_and_the_contract_columns(
    crafted: pl.DataFrame, scored: pl.DataFrame
) -> None:
    assert scored.columns == list(OUTPUT)
    assert scored.height == crafted.height
    assert (
        scored.select("series_id", "ds")
        .sort("series_id", "ds")
        .equals(
            crafted.select("series_id", pl.col("ds").cast(pl.Datetime("us"))).sort(
                "series_id", "ds"
            )
        )
    )


def test_spike_is_found_against_the_weekly_baseline(scored: pl.DataFrame) -> None:
    assert flagged(scored, "spike") == [90]
    row = scored.filter(pl.col("series_id") == "spike").row(90, named=True)
    # the series has a weekend step: the seasonal baseline fits it better than a plain median
    assert row["methods"] == "seasonal:7"
    assert row["confidence"] > 0.9 and row["score"] > 4.5
    assert row["lower"] < row["expected"] < row["upper"] < row["y"]
    # expected: the median of the same weekday over the previous four weeks, level-corrected
    y = scored.filter(pl.col("series_id") == "spike")["y"].to_numpy()
    same_day = np.median(y[[83, 76, 69, 62]])
    assert row["expected"] == pytest.approx(same_day, rel=0.05)


def test_level_shift_is_flagged_where_it_starts(scored: pl.DataFrame) -> None:
    hits = flagged(scored, "shift")
    assert hits and hits[0] == 80
    assert all(80 <= i < 95 for i in hits)  # the new level is learnt within two weeks


def test_trend_flat_and_clean_series_raise_nothing(scored: pl.DataFrame) -> None:
    for sid in ("trend", "flat", "clean"):
        assert flagged(scored, sid) == [], sid


def test_short_series_use_leave_one_out_robust_z(scored: pl.DataFrame) -> None:
    assert flagged(scored, "short") == [4]
    row = scored.filter(pl.col("series_id") == "short").row(4, named=True)
    assert row["methods"] == "robust_z" and row["expected"] == pytest.approx(10.0)


def test_warm_up_points_are_not_scored(scored: pl.DataFrame) -> None:
    first = scored.filter(pl.col("series_id") == "spike").head(6)
    assert first["score"].is_null().all() and (first["confidence"] == 0).all()
    assert scored.filter(pl.col("series_id") == "spike")["score"][6] is not None


def test_missing_days_and_unseen_series_in_pandas() -> None:
    y = weekly(n=90, seed=5)
    y[70] *= 5
    df = series("gappy", y).to_pandas()
    df = df.drop(index=[10, 11, 12, 40]).reset_index(drop=True)  # four missing days
    out = detect(df)
    assert isinstance(out, pd.DataFrame) and len(out) == len(df)
    hit = out[out["is_anomaly"]]
    assert list(hit["ds"].dt.date) == [BASE + dt.timedelta(days=70)]


def test_hourly_series_use_the_daily_season() -> None:
    rng = np.random.default_rng(6)
    y = 5 + 2 * np.sin(np.arange(24 * 10) * 2 * np.pi / 24) + rng.normal(0, 0.2, 240)
    y[200] += 3  # +15 σ, but inside the daily swing: only a seasonal baseline sees it
    start = dt.datetime(2026, 1, 1)
    df = pl.DataFrame(
        {"series_id": "h", "ds": [start + dt.timedelta(hours=i) for i in range(240)], "y": y}
    )
    out = detect(df).with_row_index("i")
    assert out.filter(pl.col("is_anomaly"))["i"].to_list() == [200]
    assert out["methods"][200] == "seasonal:24"


def test_heavy_tailed_series_need_a_burst_beyond_their_usual_bursts() -> None:
    rng = np.random.default_rng(12)
    y = 100 + rng.normal(0, 2, 400)
    bursts = rng.choice(np.arange(10, 390), 40, replace=False)
    y[bursts] += rng.uniform(20, 30, 40)  # routine bursts: 10 % of days, 10-15 σ of the noise
    y[395] += 120  # four times the usual burst
    out = detect(series("bursty", y))
    hits = flagged(out, "bursty")
    assert 395 in hits
    # once the 99th percentile is known (100 points), routine bursts are no longer anomalies
    assert [i for i in hits if i > 150 and i != 395] == []


def test_direction_up_ignores_drops() -> None:
    y = weekly(seed=7)
    y[60] *= 0.2
    y[90] *= 4
    out = detect(series("s", y), direction="up")
    assert flagged(out, "s") == [90]
    both = detect(series("s", y), direction="both")
    assert flagged(both, "s") == [60, 90]


def test_min_abs_change_silences_small_series() -> None:
    y = weekly(seed=8, level=1.0)
    y[90] *= 4  # +3 currency units
    assert flagged(detect(series("s", y)), "s") == [90]
    assert flagged(detect(series("s", y), min_abs_change=10), "s") == []


def test_a_monthly_fee_on_the_first_is_a_known_pattern_after_two_months() -> None:
    days = [BASE + dt.timedelta(days=i) for i in range(240)]
    y = weekly(n=240, seed=13)
    firsts = [i for i, d in enumerate(days) if d.day == 1]
    for i in firsts:
        y[i] += 500.0  # a reserved-instance fee billed on the 1st, every month
    y[150] += 500.0  # the same jump on an ordinary day is still an anomaly
    out = detect(series("fee", y), direction="up")
    hits = flagged(out, "fee")
    # January is warm-up; February and March are new; from April the fee is expected
    assert [days[i].month for i in hits if i in firsts] == [2, 3]
    assert 150 in hits
    row = out.row(firsts[5], named=True)
    assert "calendar" in row["methods"] or not row["is_anomaly"]
    assert row["expected"] == pytest.approx(y[firsts[5]], rel=0.05)


def test_the_last_day_of_the_month_is_its_own_day() -> None:
    days = [BASE + dt.timedelta(days=i) for i in range(240)]
    y = weekly(n=240, seed=14)
    ends = [i for i, d in enumerate(days) if (d + dt.timedelta(days=1)).day == 1]
    for i in ends:
        y[i] += 300.0  # a tax line on the last day (28th, 30th or 31st)
    hits = flagged(detect(series("tax", y), direction="up"), "tax")
    assert [i for i in hits if i in ends] == ends[:2]  # known from the third month on


def test_bad_frames_are_refused_with_the_reason() -> None:
    with pytest.raises(SeriesFrameError, match="lacks column"):
        detect(pl.DataFrame({"series_id": ["a"], "y": [1.0]}))
    dup = pl.DataFrame({"series_id": ["a", "a"], "ds": [BASE, BASE], "y": [1.0, 2.0]})
    with pytest.raises(SeriesFrameError, match="more than once"):
        detect(dup)
    with pytest.raises(SeriesFrameError, match="polars or pandas"):
        detect([1, 2, 3])


def test_events_merge_consecutive_days_and_methods() -> None:
    y = weekly(seed=9)
    y[40] *= 5
    y[90:93] *= 5  # a three-day spike
    out = detect(series("s", y))
    ev = events(out)
    assert ev.height == 2
    first = ev.row(1, named=True)
    assert first["start_ds"].date() == BASE + dt.timedelta(days=90)
    assert first["end_ds"].date() == BASE + dt.timedelta(days=92)
    assert first["points"] == 3
    assert first["impact"] == pytest.approx(first["actual"] - first["expected"])
    assert first["impact"] > 3 * 300
    assert first["event_id"] == event_id("s", BASE + dt.timedelta(days=90))
    assert first["methods"] == "seasonal" and first["kind"] == "spike" and not first["ongoing"]


def test_event_ids_are_stable_when_more_data_arrives() -> None:
    y = weekly(n=150, seed=10)
    y[90] *= 5
    a = events(detect(series("s", y[:120])))
    b = events(detect(series("s", y)))
    assert a["event_id"][0] in b["event_id"].to_list()


def test_explain_names_the_dimensions_behind_the_jump() -> None:
    rows = []
    for d in range(28):
        day = BASE + dt.timedelta(days=d)
        rows.append(
            {
                "ds": day,
                "account": "111",
                "service": "EC2",
                "region": "us-east-1",
                "usage_type": "BoxUsage",
                "resource": "i-1",
                "cost": 100.0,
            }
        )
        bedrock = 50.0 if d < 21 else 450.0  # the jump: Bedrock tokens in account 222 from day 21
        rows.append(
            {
                "ds": day,
                "account": "222",
                "service": "Bedrock",
                "region": "us-west-2",
                "usage_type": "tokens",
                "resource": "model-a",
                "cost": bedrock,
            }
        )
    detail = pl.DataFrame(rows)
    out = explain(
        detail,
        start=BASE + dt.timedelta(days=21),
        end=BASE + dt.timedelta(days=27),
        baseline_days=14,
    )
    assert out["total_delta"] == pytest.approx(400.0)
    assert out["total_impact"] == pytest.approx(400.0 * 7)
    top = out["path"][0]
    assert (top["account"], top["service"], top["region"], top["usage_type"]) == (
        "222",
        "Bedrock",
        "us-west-2",
        "tokens",
    )
    assert top["share"] == pytest.approx(1.0)
    assert out["by_dimension"]["resource"][0]["resource"] == "model-a"
    assert len(out["path"]) == 1  # EC2 did not change: not a cause
    assert describe_path(out["path"]) == "222 › Bedrock › us-west-2 › tokens (100%)"
