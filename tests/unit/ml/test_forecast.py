"""models_ml.forecast: the contract, model selection by backtest, intervals, short and gappy series."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

from models_ml.forecast import MODELS, forecast, forecast_and_score, mase, smape

BASE = dt.date(2026, 1, 1)


def series(sid: str, y: np.ndarray | list[float]) -> pl.DataFrame:
    y = np.asarray(y, dtype=float)
    return pl.DataFrame(
        {
            "series_id": [sid] * len(y),
            "ds": [BASE + dt.timedelta(days=i) for i in range(len(y))],
            "y": y,
        }
    )


def test_scores_are_the_textbook_definitions() -> None:
    train = np.array(
        [1.0, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8]
    )  # week-over-week change is 1 every day
    assert mase(np.array([10.0, 10]), np.array([12.0, 8]), train) == pytest.approx(2.0)
    assert smape(np.array([100.0, 0]), np.array([50.0, 0])) == pytest.approx(
        100 * (2 * 50 / 150) / 2
    )


def test_contract_columns_one_row_per_future_day_and_intervals_nest() -> None:
    rng = np.random.default_rng(0)
    y = 100 + 10 * (np.arange(200) % 7 >= 5) + rng.normal(0, 2, 200)
    out = forecast(series("a", y), 30, models=("seasonal_naive", "ets", "linear_trend"))
    assert out.columns == [
        "series_id",
        "ds",
        "yhat",
        "yhat_lower",
        "yhat_upper",
        "yhat_lower_95",
        "yhat_upper_95",
        "model",
    ]
    assert out.height == 30
    assert out["ds"].min().date() == BASE + dt.timedelta(days=200)
    assert (out["yhat_lower_95"] <= out["yhat_lower"]).all() and (
        out["yhat_lower"] <= out["yhat"]
    ).all()
    assert (out["yhat"] <= out["yhat_upper"]).all() and (
        out["yhat_upper"] <= out["yhat_upper_95"]
    ).all()
    width = out["yhat_upper"] - out["yhat_lower"]
    assert width[29] > width[0]  # the band widens with the horizon


def test_selection_follows_the_backtest() -> None:
    rng = np.random.default_rng(1)
    n = 200
    trend = (
        10 + 2.0 * np.arange(n) + rng.normal(0, 1, n)
    )  # a steep trend: repeating last week loses
    weekly = (
        100 + 30 * (np.arange(n) % 7 == 3) + rng.normal(0, 0.5, n)
    )  # one busy weekday, no trend
    res = forecast_and_score(
        pl.concat([series("trend", trend), series("weekly", weekly)]),
        14,
        models=("seasonal_naive", "ets", "linear_trend"),
    )
    chosen = dict(res.selected().select("series_id", "model").iter_rows())
    assert chosen["trend"] == "linear_trend"
    assert chosen["weekly"] in ("seasonal_naive", "ets", "linear_trend")
    sc = res.scores.filter(pl.col("series_id") == "trend")
    best = sc.sort("mase").row(0, named=True)
    assert best["model"] == "linear_trend" and best["selected"]
    fc = res.forecasts.filter(pl.col("series_id") == "trend")
    assert fc["yhat"][13] == pytest.approx(10 + 2.0 * (n + 13), rel=0.03)


def test_prophet_is_a_candidate_and_can_win() -> None:
    rng = np.random.default_rng(2)
    n = 300
    t = np.arange(n)
    # a trend that bends: Prophet's changepoints follow it
    y = (
        np.where(t < 200, 100 + 0.5 * t, 200 - 0.8 * (t - 200))
        + 8 * np.sin(2 * np.pi * t / 7)
        + rng.normal(0, 1, n)
    )
    res = forecast_and_score(series("bend", y), 28, n_jobs=1, models=MODELS)
    assert set(res.scores["model"]) == set(MODELS)
    assert res.selected()["model"][0] in {"prophet", "linear_trend"}
    assert res.selected()["mase"][0] < 1.0


def test_short_flat_and_gappy_series_still_forecast() -> None:
    short = series("five", [3.0, 4, 5, 4, 3])
    flat = series("flat", np.full(60, 7.0))
    gappy = series("gappy", 50 + np.arange(80) * 0.1).filter(
        ~pl.col("ds").is_in([BASE + dt.timedelta(days=d) for d in (20, 21, 50)])
    )
    res = forecast_and_score(
        pl.concat([short, flat, gappy]), 10, models=("seasonal_naive", "ets", "linear_trend")
    )
    models = dict(res.selected().select("series_id", "model").iter_rows())
    assert models["five"] == "naive"
    f5 = res.forecasts.filter(pl.col("series_id") == "five")
    assert f5.height == 10 and (f5["yhat"] == 3.0).all()
    ff = res.forecasts.filter(pl.col("series_id") == "flat")
    assert (ff["yhat"] - 7.0).abs().max() < 1e-6
    assert (ff["yhat_upper"] - ff["yhat_lower"]).max() < 1e-6  # no error on a flat series, no band
    fg = res.forecasts.filter(pl.col("series_id") == "gappy")
    assert fg.height == 10 and fg["ds"].min().date() == BASE + dt.timedelta(days=80)


def test_pandas_in_pandas_out_and_bad_arguments() -> None:
    df = series("a", np.arange(40, dtype=float)).to_pandas()
    out = forecast(df, 5, models=("seasonal_naive",))
    assert isinstance(out, pd.DataFrame) and len(out) == 5
    with pytest.raises(ValueError, match="unknown model"):
        forecast(df, 5, models=("arima",))
    with pytest.raises(ValueError, match="horizon_days"):
        forecast(df, 0)


def test_a_level_shift_moves_the_forecast_and_a_past_spike_does_not() -> None:
    rng = np.random.default_rng(4)
    n = 200
    shift = 100 + rng.normal(0, 2, n)
    shift[150:] += 100  # the level doubled 50 days ago
    spike = 100 + rng.normal(0, 2, n)
    spike[170] = 1000  # one bad day a month ago
    res = forecast_and_score(
        pl.concat([series("shift", shift), series("spike", spike)]),
        14,
        models=("seasonal_naive", "ets", "linear_trend"),
    )
    f = {sid: g["yhat"].to_numpy() for (sid,), g in res.forecasts.group_by("series_id")}
    assert np.all(np.abs(f["shift"] - 200) < 15)
    assert np.all(np.abs(f["spike"] - 100) < 15)


def test_a_candidate_that_loses_to_seasonal_naive_in_backtest_is_never_chosen() -> None:
    from models_ml.forecast import _choose

    order = {m: i for i, m in enumerate(MODELS)}
    sc = {"seasonal_naive": {"mase": 0.9}, "ets": {"mase": 0.95}, "naive": {"mase": 1.4}}
    assert _choose(sc, order) == "seasonal_naive"
    sc["ets"]["mase"] = 0.9  # a tie is not a win
    assert _choose(sc, order) == "seasonal_naive"
    sc["ets"]["mase"] = 0.85
    assert _choose(sc, order) == "ets"
    # end to end: a pure weekly pattern with small noise, where last week is the best guess
    rng = np.random.default_rng(5)
    week = np.array([10.0, 80, 15, 60, 5, 90, 30])
    y = np.tile(week, 30) + rng.normal(0, 0.5, 210)
    res = forecast_and_score(series("weekly", y), 28, n_jobs=1)
    scores = dict(res.scores.select("model", "mase").iter_rows())
    chosen = res.selected()["model"][0]
    assert chosen == "seasonal_naive" or scores[chosen] < scores["seasonal_naive"]


def test_intervals_cover_as_promised_on_series_with_known_noise() -> None:
    """White noise (σ known) around a weekly profile: the best forecast is the profile, and a
    calibrated 80% / 95% band holds that share of 28 fresh days (within 5 points)."""
    rng = np.random.default_rng(7)
    n_series, n, h, sigma = 120, 280, 28, 4.0
    week = np.array([100.0, 104, 98, 102, 101, 80, 75])
    frames, future = [], {}
    for k in range(n_series):
        y = np.tile(week, (n + h) // 7 + 1)[: n + h] + rng.normal(0, sigma, n + h)
        frames.append(series(f"s{k}", y[:n]))
        future[f"s{k}"] = y[n:]
    fc = forecast_and_score(pl.concat(frames), h, n_jobs=1).forecasts
    inside80 = inside95 = total = 0
    for sid, g in fc.group_by("series_id"):
        actual = future[str(sid[0])]
        g = g.sort("ds")
        lo80, hi80 = g["yhat_lower"].to_numpy(), g["yhat_upper"].to_numpy()
        lo95, hi95 = g["yhat_lower_95"].to_numpy(), g["yhat_upper_95"].to_numpy()
        inside80 += int(np.sum((actual >= lo80) & (actual <= hi80)))
        inside95 += int(np.sum((actual >= lo95) & (actual <= hi95)))
        total += len(actual)
    assert abs(inside80 / total - 0.80) <= 0.05, inside80 / total
    assert abs(inside95 / total - 0.95) <= 0.05, inside95 / total
