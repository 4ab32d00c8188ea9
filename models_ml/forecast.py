"""Daily cost forecasts with the model chosen per series by a rolling-origin backtest.

``forecast(frame, horizon_days)`` takes a long ``series_id, ds, y`` daily frame and returns, for each
series and future day, ``series_id, ds, yhat, yhat_lower, yhat_upper, model`` (80% interval) plus
``yhat_lower_95, yhat_upper_95``. ``forecast_and_score`` also returns the backtest scores.

Candidates (``DEFAULT_MODELS``; ``prophet`` on request):

- ``seasonal_naive`` — the last week, repeated: the baseline, which real daily series are hard to beat;
- ``naive`` — the last value (a random walk: right for series without a weekly pattern);
- ``ets`` — exponential smoothing of the level (smoothing weight chosen from a grid by one-step
  error) on top of the weekday profile (medians) of the last eight weeks (additive season);
- ``linear_trend`` — least-squares trend plus weekday effects over the last twelve weeks, after
  replacing points beyond 4 robust sigmas of a Theil-Sen + weekday-median baseline;
- ``prophet`` — Prophet (trend changepoints, weekly and, with two years of data, yearly seasonality);
  not in the default race: backtested at one origin only (its fits cost ~100x), it forced every
  candidate to be compared on that one origin, and the choice got noisier (docs/ml.md).

Each candidate is refitted at ``backtest_origins`` (10) origins, ``backtest_horizon`` (28) days apart
from the end, and scored on the days after each origin: MASE against the weekly-seasonal naive error
of the training data, and sMAPE. Candidates are compared on the origins all of them were scored on;
the lowest mean MASE wins, but **a candidate that does not beat seasonal-naive in that backtest is
never chosen** (ties go to the simpler model, in ``MODELS`` order). The interval comes from the
winner's backtest errors, scaled by √(days ahead): it says how wrong this model has actually been on
this series, not what the model believes about itself. Ten origins give it about 280 errors; on the
real daily series of the dev set the 80% and 95% intervals covered 76% and 91% of the 30 held-out
days (docs/ml.md).

Monthly views (``fct_cost_forecasts`` 30/60/90-day buckets) and budget projections
(``models_ml.budget``: ``projection_method = forecast:<model>``) use these same forecasts.

Series too short to backtest get ``seasonal_naive`` (a week of history) or ``naive`` (the last
value). Missing days are interpolated (``fill="interpolate"``) or zero (``fill="zero"``, for costs
where a missing day means no spend).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from models_ml.frames import as_series_frame, hand_back, map_chunks, worker_count
from models_ml.prophet_runs import available as prophet_available

MODELS = ("seasonal_naive", "naive", "ets", "linear_trend", "prophet")
# Prophet is backtested at one origin only (its fits cost ~100x the others), so with it in the
# race every candidate is compared on that one origin: the choice got noisier, not better (docs/ml.md)
DEFAULT_MODELS = ("seasonal_naive", "naive", "ets", "linear_trend")
BASELINE = "seasonal_naive"
SEASON = 7
PARALLEL_FROM_POINTS = 2_000_000  # inputs this large are backtested in worker processes
_ALPHAS = np.array([0.05, 0.1, 0.2, 0.35, 0.5, 0.75])
_Z80, _Z95 = 1.2815515655446004, 1.959963984540054


@dataclass(frozen=True)
class ForecastResult:
    forecasts: (
        pl.DataFrame
    )  # series_id, ds, yhat, yhat_lower, yhat_upper, yhat_lower_95, yhat_upper_95, model
    scores: (
        pl.DataFrame
    )  # series_id, model, mase, smape, origins, selected (every candidate's backtest)

    def selected(self) -> pl.DataFrame:
        """One row per series: the chosen model and its backtest MASE and sMAPE."""
        return self.scores.filter(pl.col("selected")).select(
            "series_id", "model", "mase", "smape", "origins"
        )


# ---- the cheap models: fit on y, predict h days ------------------------------------------------


def _seasonal_naive(y: np.ndarray, h: int) -> np.ndarray:
    last = y[-SEASON:]
    return np.array([last[i % len(last)] for i in range(h)], dtype=float)


def _median_by_position(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """The median of ``values`` per position 0..6 (0 where a position has none); one vectorised
    median when every position has as many values (whole weeks), else one per position."""
    counts = np.bincount(pos, minlength=SEASON)
    if counts.min() == counts.max() and counts[0] > 0:
        return np.median(values[np.argsort(pos, kind="stable")].reshape(SEASON, -1), axis=1)
    return np.array(
        [np.median(values[pos == k]) if counts[k] else 0.0 for k in range(SEASON)], dtype=float
    )


def _weekday_profile(y: np.ndarray, weeks: int = 8) -> np.ndarray:
    """Additive weekday effects (sum to 0) over the last ``weeks`` weeks, by position mod 7 from the
    end: the median per weekday, so one bad day is not repeated every week."""
    tail = y[-SEASON * weeks :]
    n = len(tail)
    pos = (np.arange(n) - n) % SEASON  # position relative to the series end, so forecasts line up
    prof = _median_by_position(tail, pos)
    return prof - prof.mean()


def _ets(y: np.ndarray, h: int) -> np.ndarray:
    from scipy.signal import lfilter

    n = len(y)
    prof = _weekday_profile(y) if n >= 2 * SEASON else np.zeros(SEASON)
    pos = (np.arange(n) - n) % SEASON
    x = y - prof[pos]
    best, best_sse = x[-1], math.inf
    for a in _ALPHAS:
        level, _ = lfilter([a], [1, -(1 - a)], x[1:], zi=[(1 - a) * x[0]])
        prev = np.concatenate([[x[0]], level[:-1]])  # one-step-ahead forecast of x[1:]
        sse = float(np.sum((x[1:] - prev) ** 2))
        if sse < best_sse:
            best, best_sse = float(level[-1]), sse
    return best + prof[np.arange(h) % SEASON]


def _despike(tail: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``tail`` with points beyond 4 robust sigmas of a robust baseline (Theil-Sen slope + weekday
    medians) replaced by the baseline: one bad day must not tilt a trend or inflate its weekday."""
    n = len(tail)
    if n < 2 * SEASON:
        return tail
    i, j = np.triu_indices(n, 1)
    slope = float(np.median((tail[j] - tail[i]) / (j - i)))
    t = np.arange(n, dtype=float)
    detrended = tail - slope * t
    prof = _median_by_position(detrended, pos)
    base = prof[pos] + slope * t
    resid = tail - base
    sigma = 1.4826 * float(np.median(np.abs(resid - np.median(resid))))
    if sigma <= 0:
        return tail
    return np.where(np.abs(resid) > 4 * sigma, base, tail)


def _linear_trend(y: np.ndarray, h: int, weeks: int = 12) -> np.ndarray:
    tail = y[-SEASON * weeks :]
    n = len(tail)
    t = np.arange(n, dtype=float)
    pos = (np.arange(n) - n) % SEASON
    tail = _despike(tail, pos)
    cols = [np.ones(n), t] + (
        [(pos == k).astype(float) for k in range(1, SEASON)] if n >= 2 * SEASON else []
    )
    beta, *_ = np.linalg.lstsq(np.column_stack(cols), tail, rcond=None)
    tf = np.arange(n, n + h, dtype=float)
    posf = np.arange(h) % SEASON
    out = beta[0] + beta[1] * tf
    if len(beta) > 2:
        out = out + np.array([beta[1 + k] if k else 0.0 for k in posf])
    return out


def _naive(y: np.ndarray, h: int) -> np.ndarray:
    return np.full(h, float(y[-1]))


_CHEAP: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "seasonal_naive": _seasonal_naive,
    "naive": _naive,
    "ets": _ets,
    "linear_trend": _linear_trend,
}


# ---- scores ----------------------------------------------------------------------------------


def mase(actual: np.ndarray, pred: np.ndarray, train: np.ndarray, season: int = SEASON) -> float:
    """Mean absolute error over the weekly-seasonal naive in-sample error of ``train``."""
    err = float(np.mean(np.abs(actual - pred)))
    scale = float(np.mean(np.abs(train[season:] - train[:-season]))) if len(train) > season else 0.0
    if scale <= 1e-12:
        scale = float(np.mean(np.abs(train))) or 1.0
    return err / scale


def smape(actual: np.ndarray, pred: np.ndarray) -> float:
    """Symmetric MAPE in percent (0/0 counts as no error)."""
    den = np.abs(actual) + np.abs(pred)
    ratio = np.where(den > 0, 2 * np.abs(actual - pred) / np.where(den > 0, den, 1), 0.0)
    return float(np.mean(ratio) * 100)


# ---- per-series work (runs in worker processes) ------------------------------------------------


@dataclass
class _Series:
    sid: str
    ds: np.ndarray
    y: np.ndarray


def _origins(n: int, origins: int, bh: int) -> tuple[list[int], int]:
    """Backtest origins (training lengths) and the horizon scored after each."""
    h = min(bh, max(SEASON, n // 4))
    got = [n - k * h for k in range(1, origins + 1) if n - k * h >= 3 * SEASON]
    return got, h


def _backtest_chunk(
    chunk: Sequence[_Series], models: Sequence[str], origins: int, bh: int, prophet_origins: int
) -> list[dict[str, Any]]:
    from models_ml.prophet_runs import ProphetTask, fit_one

    out = []
    for s in chunk:
        cuts, h = _origins(len(s.y), origins, bh)  # most recent origin first
        res: dict[str, dict[str, Any]] = {}
        for m in models:
            errs: list[np.ndarray] = []
            mases: list[float] = []
            smapes: list[float] = []
            for o in cuts[:prophet_origins] if m == "prophet" else cuts:
                train, actual = s.y[:o], s.y[o : o + h]
                if m == "prophet":
                    r = fit_one(ProphetTask(s.sid, s.ds[:o], train, horizon=h))
                    if r.future is None:
                        mases = []
                        break
                    pred = r.future
                else:
                    pred = _CHEAP[m](train, h)
                errs.append((actual - pred) / np.sqrt(np.arange(1, h + 1)))
                mases.append(mase(actual, pred, train))
                smapes.append(smape(actual, pred))
            if mases:
                res[m] = {"mase": mases, "smape": smapes, "errors": np.concatenate(errs)}
        out.append({"sid": s.sid, "origins": len(cuts), "h": h, "scores": res})
    return out


def _final_chunk(
    chunk: Sequence[tuple[_Series, str]], horizon: int
) -> list[tuple[str, np.ndarray | None]]:
    from models_ml.prophet_runs import ProphetTask, fit_one

    out: list[tuple[str, np.ndarray | None]] = []
    for s, m in chunk:
        if m == "prophet":
            out.append((s.sid, fit_one(ProphetTask(s.sid, s.ds, s.y, horizon=horizon)).future))
        else:
            out.append((s.sid, _predict_cheap(m, s.y, horizon)))
    return out


def _predict_cheap(model: str, y: np.ndarray, horizon: int) -> np.ndarray:
    if model == "naive" or len(y) < SEASON:
        return np.full(horizon, float(y[-1]) if len(y) else 0.0)
    return _CHEAP[model](y, horizon)


# ---- public API ------------------------------------------------------------------------------


def _complete_days(df: pl.DataFrame, fill: str) -> pl.DataFrame:
    df = df.with_columns(pl.col("ds").dt.truncate("1d"))
    grid = (
        df.group_by("series_id")
        .agg(pl.datetime_ranges(pl.col("ds").min(), pl.col("ds").max(), "1d").alias("ds"))
        .explode("ds")
    )
    out = grid.join(df, on=["series_id", "ds"], how="left").sort("series_id", "ds")
    y = (
        pl.col("y").interpolate().over("series_id")
        if fill == "interpolate"
        else pl.col("y").fill_null(0.0)
    )
    return out.with_columns(y.alias("y"))


def forecast_and_score(
    frame: Any,
    horizon_days: int,
    *,
    models: Sequence[str] = DEFAULT_MODELS,
    backtest_origins: int = 10,
    prophet_origins: int = 1,
    backtest_horizon: int = 28,
    fill: Literal["interpolate", "zero"] = "interpolate",
    n_jobs: int | None = None,
) -> ForecastResult:
    """Backtest every candidate on every series, choose, refit the winner on all data, predict."""
    if horizon_days < 1:
        raise ValueError("horizon_days must be at least 1")
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown model(s) {unknown}; choose from {MODELS}")
    if "prophet" in models and not prophet_available():
        models = [m for m in models if m != "prophet"]
    df, _ = as_series_frame(frame)
    df = _complete_days(df.select("series_id", "ds", "y"), fill)
    series = [
        _Series(str(sid), g["ds"].to_numpy(), g["y"].to_numpy().astype(float))
        for (sid,), g in df.group_by("series_id", maintain_order=True)
    ]
    # the cheap models take ~20 CPU-seconds for 1,000 series x 400 days: worker processes pay
    # off for Prophet or much larger inputs, and cost more than they save when cores are shared
    points = sum(len(x.y) for x in series)
    heavy = "prophet" in models or points > PARALLEL_FROM_POINTS
    n_workers = worker_count(n_jobs, len(series)) if heavy else 1
    backtests = map_chunks(
        _backtest_chunk,
        series,
        n_workers,
        list(models),
        backtest_origins,
        backtest_horizon,
        max(1, min(prophet_origins, backtest_origins)),
    )
    by_sid = {s.sid: s for s in series}
    choice: dict[str, str] = {}
    errors: dict[str, np.ndarray] = {}
    score_rows = []
    order = {m: i for i, m in enumerate(MODELS)}
    for b in backtests:
        s = by_sid[b["sid"]]
        # compare candidates on the origins every one of them was scored on (the most recent ones)
        common = min((len(v["mase"]) for v in b["scores"].values()), default=0)
        scores = {
            m: {
                "mase": float(np.mean(v["mase"][:common])),
                "smape": float(np.mean(v["smape"][:common])),
                "errors": v["errors"],
            }
            for m, v in b["scores"].items()
        }
        if scores:
            best = _choose(scores, order)
            errors[b["sid"]] = scores[best]["errors"]
        else:
            best = "seasonal_naive" if len(s.y) >= SEASON else "naive"
        choice[b["sid"]] = best
        for m, sc in scores.items():
            score_rows.append(
                {
                    "series_id": b["sid"],
                    "model": m,
                    "mase": sc["mase"],
                    "smape": sc["smape"],
                    "origins": common,
                    "selected": m == best,
                }
            )
        if not scores:
            score_rows.append(
                {
                    "series_id": b["sid"],
                    "model": best,
                    "mase": None,
                    "smape": None,
                    "origins": 0,
                    "selected": True,
                }
            )
    finals = map_chunks(
        _final_chunk, [(by_sid[sid], m) for sid, m in choice.items()], n_workers, horizon_days
    )
    parts = []
    for sid, yhat in finals:
        s, model = by_sid[sid], choice[sid]
        if yhat is None:  # Prophet failed on the full series after a good backtest
            model, yhat = "seasonal_naive", _predict_cheap("seasonal_naive", s.y, horizon_days)
        lo80, hi80, lo95, hi95 = _interval(s.y, errors.get(sid), horizon_days)
        last = s.ds[-1].astype("datetime64[us]").astype(dt.datetime)
        parts.append(
            pl.DataFrame(
                {
                    "series_id": [sid] * horizon_days,
                    "ds": [last + dt.timedelta(days=i + 1) for i in range(horizon_days)],
                    "yhat": yhat,
                    "yhat_lower": yhat + lo80,
                    "yhat_upper": yhat + hi80,
                    "yhat_lower_95": yhat + lo95,
                    "yhat_upper_95": yhat + hi95,
                    "model": [model] * horizon_days,
                },
                schema_overrides={"ds": pl.Datetime("us")},
            )
        )
    schema: dict[str, Any] = {
        "series_id": pl.String,
        "ds": pl.Datetime("us"),
        "yhat": pl.Float64,
        "yhat_lower": pl.Float64,
        "yhat_upper": pl.Float64,
        "yhat_lower_95": pl.Float64,
        "yhat_upper_95": pl.Float64,
        "model": pl.String,
    }
    fc = pl.concat(parts).sort("series_id", "ds") if parts else pl.DataFrame(schema=schema)
    sc_schema: dict[str, Any] = {
        "series_id": pl.String,
        "model": pl.String,
        "mase": pl.Float64,
        "smape": pl.Float64,
        "origins": pl.Int64,
        "selected": pl.Boolean,
    }
    return ForecastResult(fc, pl.DataFrame(score_rows, schema=sc_schema).sort("series_id", "model"))


def _choose(scores: dict[str, dict[str, Any]], order: dict[str, int]) -> str:
    """The lowest backtest MASE, but a candidate that does not beat seasonal-naive on the same
    origins is never chosen over it (ties go to the simpler model, in ``MODELS`` order)."""
    best = min(scores, key=lambda m: (round(scores[m]["mase"], 9), order[m]))
    base = scores.get(BASELINE)
    if base is not None and best != BASELINE and not scores[best]["mase"] < base["mase"]:
        return BASELINE
    return best


def _interval(y: np.ndarray, errors: np.ndarray | None, h: int) -> tuple[np.ndarray, ...]:
    """Offsets of the 80% and 95% bands for each day ahead: backtest errors per √day, as
    empirical quantiles (or, without a backtest, the spread of week-over-week changes)."""
    steps = np.sqrt(np.arange(1, h + 1))
    if errors is not None and len(errors) >= 10:
        q = np.quantile(errors, [0.1, 0.9, 0.025, 0.975])
    else:
        diffs = (
            y[SEASON:] - y[:-SEASON]
            if len(y) > SEASON
            else np.diff(y)
            if len(y) > 1
            else np.zeros(1)
        )
        sd = float(np.std(diffs)) if len(diffs) else 0.0
        q = np.array([-_Z80, _Z80, -_Z95, _Z95]) * sd
    q = np.array([min(q[0], 0.0), max(q[1], 0.0), min(q[2], q[0], 0.0), max(q[3], q[1], 0.0)])
    return q[0] * steps, q[1] * steps, q[2] * steps, q[3] * steps


def forecast(frame: Any, horizon_days: int, **params: Any) -> Any:
    """Forecasts per series and future day (pandas in, pandas out); see the module docstring."""
    was_pandas = not isinstance(frame, pl.DataFrame)
    return hand_back(forecast_and_score(frame, horizon_days, **params).forecasts, was_pandas)
