"""Anomaly events from scored points: a spike is the days it lasts; a level shift is one event that
goes on, accumulating its cost impact, for as long as the series stays shifted.

The point detector (``models_ml.anomaly.detect``) learns a new level within about a week: after
that the shifted days are no longer surprising points. ``events`` keeps them in the event: after an
event's last anomalous point it extends the event while the median of the (up to 7) points since
then keeps at least half of the event's jump over the counterfactual — the level expected when the
event started, continued along the series' own trend before it (so organic growth does not keep an
event open) — (``kind = level_shift``), and marks it ``ongoing`` when that reaches the series' last
point. The cost impact of those days is measured against that counterfactual, so a shift still
running counts every day it costs.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import polars as pl

from models_ml.frames import as_series_frame

EVENT_COLUMNS = (
    "event_id",
    "series_id",
    "start_ds",
    "end_ds",
    "points",
    "actual",
    "expected",
    "impact",
    "max_score",
    "confidence",
    "methods",
    "direction",
    "kind",
    "ongoing",
)
_SCHEMA: dict[str, Any] = {
    "event_id": pl.String,
    "series_id": pl.String,
    "start_ds": pl.Datetime("us"),
    "end_ds": pl.Datetime("us"),
    "points": pl.Int64,
    "actual": pl.Float64,
    "expected": pl.Float64,
    "impact": pl.Float64,
    "max_score": pl.Float64,
    "confidence": pl.Float64,
    "methods": pl.String,
    "direction": pl.String,
    "kind": pl.String,
    "ongoing": pl.Boolean,
}
_SCORED = ("series_id", "ds", "y", "expected", "upper", "lower", "score", "is_anomaly", "methods")


def event_id(series_id: str, start: Any) -> str:
    """Stable identity of an event: its series and its first anomalous point. Re-detection on more
    data keeps the start, so a human's status stays attached to the same event."""
    return hashlib.sha1(f"{series_id}|{start}".encode(), usedforsecurity=False).hexdigest()[:16]


def _pre_event_season(expected: np.ndarray, first: int, period: int) -> np.ndarray:
    """The expected values of the last full season before ``first``, indexed by phase from
    ``first`` (so a weekend spike is not compared with weekdays); the event's own first expected
    value when there is no such season."""
    pre = expected[max(0, first - period) : first]
    if period > 1 and len(pre) == period and not np.isnan(pre).any():
        return np.asarray(pre, dtype=float)
    return np.array([float(expected[first])])


def _pre_event_slope(expected: np.ndarray, first: int, days: int = 28) -> float:
    """Theil-Sen slope of the expected values before an event: the counterfactual of a shift
    keeps the series' own trend, so organic growth does not keep an event open."""
    pre = expected[max(0, first - days) : first]
    pre = pre[~np.isnan(pre)]
    if len(pre) < 7:
        return 0.0
    i, j = np.triu_indices(len(pre), 1)
    return float(np.median((pre[j] - pre[i]) / (j - i)))


def _series_events(
    sid: str,
    g: pl.DataFrame,
    max_gap: int,
    shift_min_points: int,
    shift_max_points: int,
    trail: int = 7,
) -> list[dict[str, Any]]:
    steps = np.diff(g["ds"].to_numpy().astype("datetime64[s]").astype(np.int64))
    step = float(np.median(steps)) if len(steps) else 0.0
    period = 7 if abs(step - 86400) < 1 else int(86400 // step) if 0 < step < 86400 else 1
    ds = g["ds"].to_list()
    y = g["y"].to_numpy().astype(float)
    exp = g["expected"].to_numpy().astype(float)
    score = np.abs(np.nan_to_num(g["score"].to_numpy().astype(float)))
    flag = g["is_anomaly"].to_numpy().astype(bool)
    methods = g["methods"].to_list()
    n = len(y)
    idx = np.flatnonzero(flag)
    runs: list[list[int]] = []
    for i in idx:
        if runs and i - runs[-1][-1] <= max_gap + 1:
            runs[-1].append(int(i))
        else:
            runs.append([int(i)])
    out: list[dict[str, Any]] = []
    next_start = n
    for r_i in range(len(runs) - 1, -1, -1):  # backwards: an extension stops at the next event
        pts = runs[r_i]
        first, last = pts[0], pts[-1]
        rising = float(np.sum(y[pts] - exp[pts])) >= 0
        sign = 1.0 if rising else -1.0
        jump = sign * float(np.median(y[pts] - exp[pts]))  # the size of the move, > 0
        base = _pre_event_season(exp, first, period)  # expected per phase, the season before
        # the counterfactual follows the pre-event trend when it goes the event's way (growth does
        # not keep a rise open), never against it (an extrapolated decline would invent one)
        slope = _pre_event_slope(exp, first)
        slope = max(slope, 0.0) if rising else min(slope, 0.0)

        def counterfactual(
            ts: np.ndarray, base: np.ndarray = base, first: int = first, slope: float = slope
        ) -> np.ndarray:
            return base[(ts - first) % len(base)] + slope * (ts - first)

        end = last
        for t in range(last + 1, min(next_start, first + shift_max_points)):
            post = np.arange(max(last + 1, t - trail + 1), t + 1)  # the points after the run only
            still = sign * float(np.median(y[post] - counterfactual(post)))
            if still <= jump / 2:
                break
            end = t
        # the median lags the return by a few points: the event ends at its last shifted point
        while end > last and sign * (y[end] - counterfactual(np.array([end]))[0]) <= jump / 2:
            end -= 1
        span = np.arange(first, end + 1)
        expected_t = np.where(flag[span], exp[span], counterfactual(span))
        kind = (
            "level_shift"
            if end > last and end - first + 1 >= shift_min_points
            else ("spike" if rising else "drop")
        )
        if kind != "level_shift":
            end, span = last, np.arange(first, last + 1)
            expected_t = exp[span]
        used = sorted({m.split(":")[0] for t in pts for m in (methods[t] or "").split(",") if m})
        actual = float(np.sum(y[span]))
        expected = float(np.sum(expected_t))
        out.append(
            {
                "series_id": sid,
                "start_ds": ds[first],
                "end_ds": ds[end],
                "points": int(len(span)),
                "actual": actual,
                "expected": expected,
                "impact": actual - expected,
                "max_score": float(score[pts].max()),
                "confidence": float(1 - np.exp(-score[pts].max() / 4.5)),
                "methods": ",".join(used),
                "direction": "up" if actual - expected >= 0 else "down",
                "kind": kind,
                "ongoing": kind == "level_shift"
                and end == n - 1
                and end - first + 1 < shift_max_points,
            }
        )
        next_start = first
    return out[::-1]


def events(
    scored: Any, *, max_gap: int = 1, shift_min_points: int = 5, shift_max_points: int = 90
) -> pl.DataFrame:
    """Merge a series' anomalous points into events: points at most ``max_gap`` normal points
    apart are one event. A run followed by points still beyond half a band of the level expected
    at its start is a ``level_shift`` (when it spans ``shift_min_points`` or more) and extends over
    them, for at most ``shift_max_points`` from its start (90 days on daily data: by then the new
    level is the normal one); ``ongoing`` when it reaches the last point. Each event has start, end, points, actual and
    expected totals, cost ``impact`` (actual − expected), the largest |score| and its confidence,
    the baselines that judged it, ``direction`` and ``kind`` (spike, drop, level_shift)."""
    df, _ = as_series_frame(scored, required=_SCORED)
    has = df.group_by("series_id").agg(pl.col("is_anomaly").any().alias("_any"))
    ids = has.filter(pl.col("_any"))["series_id"]
    rows: list[dict[str, Any]] = []
    for (sid,), g in df.filter(pl.col("series_id").is_in(ids.implode())).group_by(
        "series_id", maintain_order=True
    ):
        rows.extend(_series_events(str(sid), g, max_gap, shift_min_points, shift_max_points))
    if not rows:
        return pl.DataFrame(schema=_SCHEMA)
    ev = pl.DataFrame(rows, schema={k: v for k, v in _SCHEMA.items() if k != "event_id"})
    eids = [
        event_id(s, d.date() if d.hour == d.minute == 0 else d)
        for s, d in zip(ev["series_id"], ev["start_ds"], strict=True)
    ]
    return (
        ev.with_columns(pl.Series("event_id", eids, dtype=pl.String))
        .select(EVENT_COLUMNS)
        .sort("series_id", "start_ds")
    )
