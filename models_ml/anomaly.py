"""Cost anomaly detection on any regular series (daily cost, hourly usage), seen before or not.

``detect(frame)`` scores every row of a long ``series_id, ds, y`` frame against what the series'
own past says it should be (every estimate uses only earlier points, so the newest day is judged
exactly as it will be in production):

- **baseline** — the better, per point, of two robust expectations: the median of the last
  ``level_periods`` seasons (``median``), and a seasonal one (``seasonal:<p>``): the median of the
  same phase over the last ``seasons_back`` seasons, corrected by the median deviation of the last
  season. Seasons come from the step of the series (a week for daily data; a day and a week for
  hourly). The one whose recent residuals are smaller wins, so a series without a weekly pattern
  is not forced into one;
- **scale** — robust: the larger of 1.4826·MAD and 1.2533·mean absolute deviation of the recent
  residuals (the second keeps intermittent series, half zeros, from a zero scale); once a series
  has ``tail_min_points`` residuals, widened by how far its own 99th percentile of residuals (in
  scales) lies beyond the normal 2.576, so heavy-tailed series (bursty usage) need a burst beyond
  their usual bursts;
- **calendar** — scheduled charges (a fee on the 1st, a tax on the last day of the month): when the
  same day of the month exceeded its expectation in at least two of the three previous months, the
  median of those excesses is part of the expectation (``methods`` says ``calendar``);
- **decision** — anomalous when the residual exceeds ``threshold`` (4.5) scales, the band is at
  least ``min_relative_change`` of the expected level and ``min_abs_change`` wide.

Series shorter than ``2·min_history`` points are scored leave-one-out (``robust_z``: median and
scale of the other points). Chosen on real labelled series (the Numenta Anomaly Benchmark on a
daily and an hourly grid) and the generator's labelled set; see docs/ml.md for the measurements.

``events(scored)`` (``models_ml.anomaly_events``) turns anomalous points into events — a level shift
is one ongoing event — and ``explain`` (``models_ml.root_cause``) names the dimensions behind one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

from models_ml.anomaly_events import EVENT_COLUMNS, event_id, events
from models_ml.frames import as_series_frame, hand_back, map_chunks, worker_count
from models_ml.root_cause import describe_path, explain

__all__ = [
    "EVENT_COLUMNS",
    "METHODS",
    "OUTPUT",
    "DetectParams",
    "describe_path",
    "detect",
    "event_id",
    "events",
    "explain",
    "seasons_for_step",
]

METHODS = ("median", "seasonal", "robust_z", "calendar")
OUTPUT = (
    "series_id",
    "ds",
    "y",
    "expected",
    "lower",
    "upper",
    "score",
    "is_anomaly",
    "methods",
    "confidence",
)
_MAD_TO_SIGMA = 1.4826
_MEAN_AD_TO_SIGMA = math.sqrt(math.pi / 2)  # 1.2533: E|x - mu| = sigma * sqrt(2/pi)
_DAY_S = 86400
PARALLEL_FROM_POINTS = 2_000_000  # inputs this large are scored in worker processes


@dataclass(frozen=True)
class DetectParams:
    """The detector's settings; the defaults are the measured ones (docs/ml.md)."""

    threshold: float = 4.5  # residual / scale beyond which a point is anomalous
    min_history: int = 6  # earlier points needed before a point is scored
    level_periods: float = 2.0  # the median baseline's window, in seasons (14 days for daily)
    scale_periods: float = 4.0  # window of residuals for the scale, in seasons
    seasons_back: int = 4  # same-phase points the seasonal baseline takes the median of
    min_seasons: int = 2  # ... and needs at least
    tail_quantile: float = 0.99
    tail_periods: float = 16.0  # window of residuals for the tail quantile, in seasons
    tail_min_points: int = 100  # an empirical 99th percentile needs about this many points
    calendar_months: int = 3  # previous months looked at for a day-of-month pattern
    calendar_min_hits: int = 2  # ... of which this many must show the same excess
    min_relative_change: float = 0.05
    min_abs_change: float = 0.0

    def __post_init__(self) -> None:
        if self.threshold <= 0 or self.min_history < 3:
            raise ValueError("need threshold > 0 and min_history >= 3")
        if not 0.5 < self.tail_quantile < 1:
            raise ValueError("tail_quantile must be in (0.5, 1)")
        if self.seasons_back < self.min_seasons or self.min_seasons < 1:
            raise ValueError("need 1 <= min_seasons <= seasons_back")


def seasons_for_step(step_seconds: float) -> tuple[int, ...]:
    """Season lengths (in points) worth trying for a series sampled every ``step_seconds``: a week
    for daily data, a day and a week for sub-daily steps that divide a day, none otherwise."""
    if step_seconds <= 0:
        return ()
    if abs(step_seconds - _DAY_S) < 1:
        return (7,)
    if step_seconds < _DAY_S and _DAY_S % step_seconds == 0:
        per_day = int(_DAY_S // step_seconds)
        return (per_day, 7 * per_day)
    return ()


# ---- trailing statistics (every value at t uses x[t-w..t-1] only) -----------------------------


def _trailing(
    x: np.ndarray, w: int, min_points: int, stat: Callable[[np.ndarray, bool], np.ndarray]
) -> np.ndarray:
    """``stat`` (rows of a 2-D array -> 1-D; NaN-aware when told) over the ``w`` points before each
    t, once at least ``min_points`` of them exist. ``x`` may start with NaNs (not yet estimable),
    never later."""
    n = len(x)
    out = np.full(n, np.nan)
    valid = np.flatnonzero(~np.isnan(x))
    if not len(valid) or w < 1:
        return out
    f = int(valid[0])
    full_from = f + w
    first = f + max(1, min_points)
    if first < min(full_from, n):  # warm-up: partial windows, NaN-padded on the left
        padded = np.concatenate([np.full(w, np.nan), x[f:]])
        rows = np.arange(first, min(full_from, n)) - f  # window of t: x[f..t-1]
        windows = sliding_window_view(padded[:-1], w)[rows]
        out[first : min(full_from, n)] = stat(windows, True)
    if full_from < n:
        out[full_from:] = stat(sliding_window_view(x[f:-1], w)[full_from - w - f :], False)
    return out


def _nan_quantile_rows(a: np.ndarray, q: float) -> np.ndarray:
    """Linear-interpolated quantile of each row, ignoring NaNs (every row has a value): sorting
    puts NaNs last, so it is numpy's own definition at a fraction of ``np.nanquantile``'s cost."""
    srt = np.sort(a, axis=1)
    count = np.sum(~np.isnan(a), axis=1)
    pos = q * (count - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, count - 1)
    v_lo = np.take_along_axis(srt, lo[:, None], axis=1)[:, 0]
    v_hi = np.take_along_axis(srt, hi[:, None], axis=1)[:, 0]
    return v_lo + (v_hi - v_lo) * (pos - lo)


def _median(a: np.ndarray, nan: bool = False) -> np.ndarray:
    return _nan_quantile_rows(a, 0.5) if nan else np.median(a, axis=1)


def _robust_scale(a: np.ndarray, nan: bool = False, center: np.ndarray | None = None) -> np.ndarray:
    """max(1.4826·MAD, 1.2533·mean absolute deviation) of each row around ``center`` (the row
    median when None): both estimate σ for normal noise; the second stays positive when more than
    half the points are equal (an idle batch series)."""
    mean = np.nanmean if nan else np.mean
    c = _median(a, nan) if center is None else center
    dev = np.abs(a - c[:, None])
    return np.maximum(_MAD_TO_SIGMA * _median(dev, nan), _MEAN_AD_TO_SIGMA * mean(dev, axis=1))


def _abs_scale(a: np.ndarray, nan: bool = False) -> np.ndarray:
    return _robust_scale(a, nan, np.zeros(len(a)))


def _seasonal_median(y: np.ndarray, p: int, back: int, min_back: int) -> np.ndarray:
    """Median of y[t-p], y[t-2p], ... y[t-back·p] (the nearest ones that exist, at least min_back)."""
    n = len(y)
    out = np.full(n, np.nan)
    for c in range(min_back, back + 1):
        lo = c * p
        hi = (c + 1) * p if c < back else n
        if lo >= n:
            break
        rows = np.arange(lo, min(hi, n))
        lags = np.stack([y[rows - k * p] for k in range(1, c + 1)])
        out[rows] = np.median(lags, axis=0)
    return out


def _calendar_excess(
    days: np.ndarray, resid: np.ndarray, band: np.ndarray, prm: DetectParams
) -> np.ndarray:
    """Per point of a daily series: the median excess (beyond the band) that the same day of the
    month showed in the previous ``calendar_months`` months, when at least ``calendar_min_hits``
    of them showed one; NaN otherwise. The last day of a month is its own day (-1)."""
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    dom = (d - months).astype(np.int64) + 1
    last = (months + 1).astype("datetime64[D]") - d == 1
    key = np.where(last, -1, dom)
    month_no = months.astype(np.int64)
    excess = np.where(np.abs(resid) > band, resid, np.nan)
    n, months_back = len(d), prm.calendar_months
    order = np.argsort(key, kind="stable")  # same day of the month together, in time order
    ks = key[order]
    lagged = np.full((n, months_back), np.nan)  # excess of the same day 1, 2, 3 occurrences back
    for lag in range(1, months_back + 1):
        same = ks[lag:] == ks[:-lag]
        cur, prev = order[lag:][same], order[:-lag][same]
        recent = month_no[cur] - month_no[prev] <= months_back
        lagged[cur[recent], lag - 1] = excess[prev[recent]]
    out = np.full(n, np.nan)
    hits = np.sum(~np.isnan(lagged), axis=1) >= prm.calendar_min_hits
    if hits.any():
        out[hits] = np.nanmedian(lagged[hits], axis=1)
    return out


def _score_series(
    y: np.ndarray, seasons: Sequence[int], prm: DetectParams, days: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """expected, scale and the name of the baseline used (per point) for one series; ``days``
    (daily series only) enables the day-of-month calendar."""
    n = len(y)
    hmin = prm.min_history
    p0 = seasons[0] if seasons else 7
    level_w = max(hmin, int(prm.level_periods * p0))
    expected = _trailing(y, level_w, hmin, _median)
    scale = _trailing(y, level_w, hmin, _robust_scale)
    method = np.full(n, "median", dtype=object)
    scale_w = max(hmin, int(prm.scale_periods * p0))
    for p in seasons:
        if n <= prm.min_seasons * p + hmin:
            continue
        sm = _seasonal_median(y, p, prm.seasons_back, prm.min_seasons)
        adj = _trailing(y - sm, p0, max(1, p0 // 2), _median)
        es = sm + np.nan_to_num(adj)
        ss = _trailing(y - es, scale_w, hmin, _abs_scale)
        better = ~np.isnan(ss) & (np.isnan(scale) | (ss < scale))
        expected = np.where(better, es, expected)
        scale = np.where(better, ss, scale)
        method = np.where(better, f"seasonal:{p}", method)
    if days is not None:
        cal = _calendar_excess(days, y - expected, prm.threshold * scale, prm)
        known = ~np.isnan(cal)
        expected = np.where(known, expected + np.nan_to_num(cal), expected)
        method = np.where(known, method + ",calendar", method)
    # heavy tails: how far the series' own 99th percentile of residuals (in scales) lies beyond
    # the normal one; the scale is widened by that factor
    tail_w = max(prm.tail_min_points, int(prm.tail_periods * p0))
    if n > prm.tail_min_points + hmin:
        from statistics import NormalDist

        zq = NormalDist().inv_cdf(0.5 + prm.tail_quantile / 2)
        q = prm.tail_quantile
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.abs(y - expected) / np.where(scale > 0, scale, np.nan)
        u = np.where(np.isnan(expected), np.nan, np.nan_to_num(u, nan=0.0, posinf=0.0))
        factor = _trailing(
            u,
            tail_w,
            prm.tail_min_points,
            lambda a, nan: (_nan_quantile_rows(a, q) if nan else np.quantile(a, q, axis=1)) / zq,
        )
        scale = np.where(np.isnan(factor), scale, scale * np.fmax(1.0, factor))
    return expected, scale, method


def _leave_one_out(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median and robust scale of the other points, for series too short for a history."""
    n = len(y)
    if n < 4:
        return np.full(n, np.nan), np.full(n, np.nan)
    others = np.stack([np.delete(y, i) for i in range(n)])
    return np.median(others, axis=1), _robust_scale(others)


def _score_chunk(
    chunk: Sequence[tuple[str, np.ndarray, np.ndarray]], prm: DetectParams
) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    out = []
    for sid, ds, y in chunk:
        if len(y) < 2 * prm.min_history:
            e, s = _leave_one_out(y)
            m = np.full(len(y), "robust_z", dtype=object)
        else:
            step = float(np.median(np.diff(ds.astype("datetime64[s]").astype(np.int64))))
            e, s, m = _score_series(
                y, seasons_for_step(step), prm, ds if abs(step - _DAY_S) < 1 else None
            )
        out.append((sid, e, s, m))
    return out


def detect(
    frame: Any,
    *,
    direction: Literal["both", "up", "down"] = "both",
    min_abs_change: float = 0.0,
    min_relative_change: float = 0.05,
    params: DetectParams | None = None,
    n_jobs: int | None = None,
    **overrides: Any,
) -> Any:
    """Score every row of a long ``series_id, ds, y`` frame (polars or pandas; pandas in, pandas
    out). Returns ``series_id, ds, y, expected, lower, upper, score, is_anomaly, methods,
    confidence`` per input row, sorted by series and time. ``score`` is the residual in scales
    (± ``threshold`` at the band's edge), ``methods`` the baseline that judged the row, and
    ``confidence`` = 1 − e^(−|score| / threshold). ``overrides`` set ``DetectParams`` fields."""
    if direction not in ("both", "up", "down"):
        raise ValueError(f"direction must be both, up or down, not {direction!r}")
    base = params or DetectParams()
    prm = DetectParams(
        **{
            **base.__dict__,
            "min_abs_change": min_abs_change,
            "min_relative_change": min_relative_change,
            **overrides,
        }
    )
    df, was_pandas = as_series_frame(frame)
    df = df.select("series_id", "ds", "y")
    items = [
        (str(sid), g["ds"].to_numpy(), g["y"].to_numpy().astype(float))
        for (sid,), g in df.group_by("series_id", maintain_order=True)
    ]
    # numpy per series: ~7 CPU-seconds for 1,000 series x 400 days, less than starting worker
    # processes costs on a busy machine; only much larger inputs are spread over every core
    points = sum(len(y) for _sid, _ds, y in items)
    workers = worker_count(n_jobs, len(items)) if points > PARALLEL_FROM_POINTS else 1
    done = map_chunks(_score_chunk, items, workers, prm)
    by_sid = {r[0]: r for r in done}  # chunks come back round-robin: put them in frame order
    scored = [by_sid[sid] for sid, _ds, _y in items]
    parts = pl.DataFrame(
        {
            "expected": np.concatenate([s[1] for s in scored]) if scored else [],
            "scale": np.concatenate([s[2] for s in scored]) if scored else [],
            "method": np.concatenate([s[3] for s in scored]).astype(str) if scored else [],
        },
        schema={"expected": pl.Float64, "scale": pl.Float64, "method": pl.String},
    )
    df = pl.concat(
        [df, parts.with_columns(pl.col("expected", "scale").fill_nan(None))], how="horizontal"
    )
    k = prm.threshold
    e, y = pl.col("expected"), pl.col("y")
    floor = pl.max_horizontal(e.abs() * prm.min_relative_change / k, pl.lit(1e-9))
    scale = pl.max_horizontal(pl.col("scale"), floor)
    dev = y - e
    score = pl.when(e.is_not_null() & pl.col("scale").is_not_null()).then(dev / scale)
    df = df.with_columns(
        score.alias("score"), (e - k * scale).alias("lower"), (e + k * scale).alias("upper")
    )
    z = pl.col("score")
    beyond = z > k if direction == "up" else z < -k if direction == "down" else z.abs() > k
    is_anom = (beyond & (dev.abs() >= prm.min_abs_change)).fill_null(False)
    df = df.with_columns(
        is_anom.alias("is_anomaly"),
        pl.when(is_anom).then(pl.col("method")).otherwise(pl.lit("")).alias("methods"),
        (1 - (-(z.abs()) / k).exp()).fill_null(0.0).alias("confidence"),
    )
    return hand_back(df.select(OUTPUT), was_pandas)
