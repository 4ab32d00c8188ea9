"""Cost anomaly detection on any regular series (daily cost, hourly usage), seen before or not.

``detect(frame)`` scores every input row of a long ``series_id, ds, y`` frame with three methods and
one decision:

- **zscore** — mean and standard deviation of the trailing ``window`` points, *excluding* the point;
  flagged outside ``mean ± z_threshold·σ`` (3σ).
- **iqr** — quartiles of the same trailing window; flagged outside ``Q1 − 1.5·IQR, Q3 + 1.5·IQR``.
- **prophet** — Prophet fitted on the series (trend + the seasonalities its data supports); flagged
  outside its ``interval_width`` (99%) interval. With ``prophet="auto"`` it is fitted only on series
  where its vote can change a decision (with the default unanimity: where z-score and IQR both flag
  a point); elsewhere the decision is the same without it, and a Prophet fit costs ~50-100 ms
  against microseconds for the rolling methods. ``prophet=True`` fits it on every series of
  ``prophet_min_points`` or more, so its band enters every row's expected value and band.

Each band is at least ``min_relative_change`` (5%) of the level and ``min_abs_change`` wide, so a flat
series' rounding noise is not an anomaly. A point is anomalous when ``min_votes`` of the methods that
could score it agree — by default all of them (3): on the labelled set in ``evaluation.py`` two of
three gave F1 0.48 (precision 0.32: 3σ outliers of ordinary noise), all three 0.72 at a recall of 0.90. ``expected``/``lower``/``upper``
are the median of the methods' centres and bounds; ``score`` is the deviation in band units (±
``z_threshold`` at the band's edge); ``confidence`` = share of methods agreeing × (1 − e^(−|score|/z)).

Points with fewer than ``min_history`` earlier points are not scored (warm-up), except in series too
short to ever have that history (``robust_z``: median and MAD of the series' other points, from 4
points). ``events(scored)`` merges anomalous points (and methods) of a series into events with start,
end and cost impact; ``explain(detail, ...)`` names the dimensions behind an event's jump.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import polars as pl

from models_ml.frames import as_series_frame, hand_back, worker_count
from models_ml.prophet_runs import ProphetTask, fit_many
from models_ml.prophet_runs import available as prophet_available

METHODS = ("zscore", "iqr", "prophet", "robust_z")
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


def _normal_quantile(p: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)


def _floor_width(center: pl.Expr, rel: float, abs_: float) -> pl.Expr:
    """Smallest half-width of a band around ``center``."""
    return pl.max_horizontal(center.abs() * rel, pl.lit(abs_), pl.lit(1e-9))


def _band(
    name: str, center: pl.Expr, lower: pl.Expr, upper: pl.Expr, rel: float, abs_: float
) -> list[pl.Expr]:
    w = _floor_width(center, rel, abs_)
    return [
        center.alias(f"{name}_c"),
        pl.min_horizontal(lower, center - w).alias(f"{name}_lo"),
        pl.max_horizontal(upper, center + w).alias(f"{name}_hi"),
    ]


def _short_series(df: pl.DataFrame, short_ids: list[str]) -> pl.DataFrame:
    """Leave-one-out median and MAD for series too short for a trailing window."""
    parts = []
    for sid, g in df.filter(pl.col("series_id").is_in(short_ids)).group_by(
        "series_id", maintain_order=True
    ):
        y = g["y"].to_numpy()
        n = len(y)
        c = np.full(n, np.nan)
        s = np.full(n, np.nan)
        if n >= 4:
            for i in range(n):
                others = np.delete(y, i)
                med = float(np.median(others))
                c[i] = med
                s[i] = _MAD_TO_SIGMA * float(np.median(np.abs(others - med)))
        parts.append(
            pl.DataFrame(
                {
                    "series_id": [sid[0]] * n,
                    "idx": np.arange(n, dtype=np.int64),
                    "rz_center": c,
                    "rz_sigma": s,
                },
                schema_overrides={"idx": pl.Int64},
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "series_id": pl.String,
                "idx": pl.Int64,
                "rz_center": pl.Float64,
                "rz_sigma": pl.Float64,
            }
        )
    return pl.concat(parts).with_columns(
        pl.col(c).fill_nan(None) for c in ("rz_center", "rz_sigma")
    )


def _prophet_bands(
    df: pl.DataFrame, ids: list[str], interval_width: float, n_jobs: int | None
) -> pl.DataFrame:
    schema = {
        "series_id": pl.String,
        "idx": pl.Int64,
        "p_center": pl.Float64,
        "p_sigma": pl.Float64,
    }
    if not ids:
        return pl.DataFrame(schema=schema)
    tasks = []
    for (sid,), g in df.filter(pl.col("series_id").is_in(ids)).group_by(
        "series_id", maintain_order=True
    ):
        tasks.append(ProphetTask(str(sid), g["ds"].to_numpy(), g["y"].to_numpy(), in_sample=True))
    results = fit_many(tasks, worker_count(n_jobs, len(tasks)))
    zq = _normal_quantile(0.5 + interval_width / 2)
    parts = []
    for r in results.values():
        if r.fitted is None or r.sigma is None:
            continue
        n = len(r.fitted)
        parts.append(
            pl.DataFrame(
                {
                    "series_id": [r.key] * n,
                    "idx": np.arange(n, dtype=np.int64),
                    "p_center": r.fitted,
                    "p_sigma": np.full(n, r.sigma * zq),
                },
                schema=schema,
            )
        )
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def detect(
    frame: Any,
    *,
    window: int = 28,
    min_history: int = 14,
    z_threshold: float = 3.0,
    iqr_k: float = 1.5,
    prophet: bool | Literal["auto"] = "auto",
    interval_width: float = 0.99,
    prophet_min_points: int = 14,
    min_votes: int = 3,
    direction: Literal["both", "up", "down"] = "both",
    min_relative_change: float = 0.05,
    min_abs_change: float = 0.0,
    n_jobs: int | None = None,
) -> Any:
    """Score every row of a long ``series_id, ds, y`` frame (polars or pandas; pandas in, pandas
    out). Returns ``series_id, ds, y, expected, lower, upper, score, is_anomaly, methods,
    confidence`` per input row, sorted by series and time; ``methods`` lists the methods that
    flagged the row, comma-separated."""
    if window < 4 or min_history < 3 or min_history > window:
        raise ValueError("need 4 <= window, 3 <= min_history <= window")
    if direction not in ("both", "up", "down"):
        raise ValueError(f"direction must be both, up or down, not {direction!r}")
    df, was_pandas = as_series_frame(frame)
    df = df.select("series_id", "ds", "y").with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).over("series_id").alias("idx")
    )
    rel, abs_ = min_relative_change, min_abs_change
    prev = pl.col("y").shift(1)
    w, mp = window, min_history
    df = (
        df.with_columns(
            prev.rolling_mean(window_size=w, min_samples=mp).over("series_id").alias("z_mean"),
            prev.rolling_std(window_size=w, min_samples=mp).over("series_id").alias("z_std"),
            *[
                prev.rolling_quantile(q, interpolation="linear", window_size=w, min_samples=mp)
                .over("series_id")
                .alias(name)
                for q, name in ((0.25, "q1"), (0.5, "q2"), (0.75, "q3"))
            ],
        )
        .with_columns(_rolling_bands(z_threshold, iqr_k, rel, abs_))
        .with_columns(_flag("zscore", direction), _flag("iqr", direction))
    )
    lengths = df.group_by("series_id").agg(pl.len().alias("n"))
    short_ids = lengths.filter(pl.col("n") <= min_history)["series_id"].to_list()
    use_prophet = prophet is True or (prophet == "auto" and prophet_available())
    prophet_ids: list[str] = []
    if use_prophet:
        long_ids = lengths.filter(pl.col("n") >= prophet_min_points)["series_id"]
        if prophet == "auto":  # only where its vote can change the decision
            long_ids = _series_prophet_can_change(
                df.filter(pl.col("series_id").is_in(long_ids.implode())), min_abs_change, min_votes
            )
        prophet_ids = long_ids.to_list()
    df = df.join(_short_series(df, short_ids), on=["series_id", "idx"], how="left").join(
        _prophet_bands(df, prophet_ids, interval_width, n_jobs), on=["series_id", "idx"], how="left"
    )
    df = df.with_columns(
        *_band(
            "prophet",
            pl.col("p_center"),
            pl.col("p_center") - pl.col("p_sigma"),
            pl.col("p_center") + pl.col("p_sigma"),
            rel,
            abs_,
        ),
        *_band(
            "robust_z",
            pl.col("rz_center"),
            pl.col("rz_center") - z_threshold * pl.col("rz_sigma"),
            pl.col("rz_center") + z_threshold * pl.col("rz_sigma"),
            rel,
            abs_,
        ),
    )
    y = pl.col("y")
    df = df.with_columns(_flag(m, direction) for m in ("prophet", "robust_z")).with_columns(
        pl.sum_horizontal(pl.col(f"{m}_flag").is_not_null().cast(pl.Int32) for m in METHODS).alias(
            "avail"
        ),
        pl.sum_horizontal(
            pl.col(f"{m}_flag").fill_null(False).cast(pl.Int32) for m in METHODS
        ).alias("votes"),
        pl.concat_list(pl.col(f"{m}_c") for m in METHODS)
        .list.drop_nulls()
        .list.median()
        .alias("expected"),
        pl.concat_list(pl.col(f"{m}_lo") for m in METHODS)
        .list.drop_nulls()
        .list.median()
        .alias("lower"),
        pl.concat_list(pl.col(f"{m}_hi") for m in METHODS)
        .list.drop_nulls()
        .list.median()
        .alias("upper"),
        pl.concat_str(
            [pl.when(pl.col(f"{m}_flag")).then(pl.lit(m)) for m in METHODS],
            separator=",",
            ignore_nulls=True,
        )
        .fill_null("")
        .alias("methods"),
    )
    dev = y - pl.col("expected")
    half = (
        pl.when(dev >= 0)
        .then(pl.col("upper") - pl.col("expected"))
        .otherwise(pl.col("expected") - pl.col("lower"))
    )
    score = dev / pl.max_horizontal(half / z_threshold, pl.lit(1e-9))
    df = df.with_columns(
        pl.when(pl.col("avail") > 0).then(score).otherwise(None).alias("score"),
        (
            (pl.col("avail") > 0)
            & (pl.col("votes") >= pl.min_horizontal(pl.lit(min_votes), pl.col("avail")))
            & (dev.abs() >= min_abs_change)
        )
        .fill_null(False)
        .alias("is_anomaly"),
    ).with_columns(
        pl.when(pl.col("avail") > 0)
        .then(
            pl.col("votes") / pl.col("avail") * (1 - (-(pl.col("score").abs()) / z_threshold).exp())
        )
        .otherwise(0.0)
        .alias("confidence"),
    )
    return hand_back(df.select(OUTPUT), was_pandas)


def _rolling_bands(z_threshold: float, iqr_k: float, rel: float, abs_: float) -> list[pl.Expr]:
    iqr = pl.col("q3") - pl.col("q1")
    zs = pl.col("z_std").fill_null(0.0) * z_threshold
    return [
        *_band("zscore", pl.col("z_mean"), pl.col("z_mean") - zs, pl.col("z_mean") + zs, rel, abs_),
        *_band(
            "iqr", pl.col("q2"), pl.col("q1") - iqr_k * iqr, pl.col("q3") + iqr_k * iqr, rel, abs_
        ),
    ]


def _flag(method: str, direction: str) -> pl.Expr:
    y, lo, hi = pl.col("y"), pl.col(f"{method}_lo"), pl.col(f"{method}_hi")
    out = (
        (y > hi)
        if direction == "up"
        else (y < lo)
        if direction == "down"
        else ((y > hi) | (y < lo))
    )
    return (
        pl.when(pl.col(f"{method}_c").is_not_null())
        .then(out)
        .otherwise(None)
        .alias(f"{method}_flag")
    )


def _series_prophet_can_change(df: pl.DataFrame, abs_: float, min_votes: int) -> pl.Series:
    """Series of ``df`` (with the z-score and IQR flags) that have a point whose decision depends on
    Prophet's vote: with z-score and IQR alone it needs ``min(min_votes, 2)`` votes; with Prophet
    ``min(min_votes, 3)``, of which Prophet may be one."""
    v = pl.col("zscore_flag").fill_null(False).cast(pl.Int8) + pl.col("iqr_flag").fill_null(
        False
    ).cast(pl.Int8)
    avail = pl.col("zscore_flag").is_not_null().cast(pl.Int8) + pl.col(
        "iqr_flag"
    ).is_not_null().cast(pl.Int8)
    without = (avail > 0) & (v >= pl.min_horizontal(pl.lit(min_votes), avail))
    need = pl.min_horizontal(pl.lit(min_votes), avail + 1)
    prophet_no, prophet_yes = v >= need, (v + 1) >= need
    dev_ok = (pl.col("y") - pl.col("zscore_c")).abs() >= abs_
    depends = ((prophet_no != without) | (prophet_yes != without)) & dev_ok
    return df.filter(depends)["series_id"].unique().sort()


# ---- events ----------------------------------------------------------------------------------

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
)


def event_id(series_id: str, start: Any) -> str:
    """Stable identity of an event: its series and its first anomalous point. Re-detection on more
    data keeps the start, so a human's status stays attached to the same event."""
    return hashlib.sha1(f"{series_id}|{start}".encode(), usedforsecurity=False).hexdigest()[:16]


def events(scored: Any, *, max_gap: int = 1) -> pl.DataFrame:
    """Merge a series' anomalous points into events: points at most ``max_gap`` normal points
    apart are one event (a two-day spike, a level shift flagged on and off). Each event has
    start, end, anomalous points, actual and expected totals over those points, cost ``impact``
    (actual − expected), the largest |score|, the largest confidence, and every method that voted."""
    df, _ = as_series_frame(scored, required=OUTPUT)
    df = df.with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).over("series_id").alias("idx")
    ).filter(pl.col("is_anomaly"))
    if df.is_empty():
        return pl.DataFrame(
            schema={
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
            }
        )
    gap = pl.col("idx") - pl.col("idx").shift(1).over("series_id")
    df = df.with_columns(
        (gap.is_null() | (gap > max_gap + 1))
        .cast(pl.Int64)
        .cum_sum()
        .over("series_id")
        .alias("event_no")
    )
    ev = (
        df.group_by("series_id", "event_no")
        .agg(
            pl.col("ds").min().alias("start_ds"),
            pl.col("ds").max().alias("end_ds"),
            pl.len().cast(pl.Int64).alias("points"),
            pl.col("y").sum().alias("actual"),
            pl.col("expected").sum().alias("expected"),
            (pl.col("y") - pl.col("expected")).sum().alias("impact"),
            pl.col("score").abs().max().alias("max_score"),
            pl.col("confidence").max().alias("confidence"),
            pl.col("methods")
            .str.split(",")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("m"),
        )
        .with_columns(
            pl.col("m")
            .list.eval(pl.element().filter(pl.element() != ""))
            .list.join(",")
            .alias("methods"),
            pl.when(pl.col("impact") >= 0)
            .then(pl.lit("up"))
            .otherwise(pl.lit("down"))
            .alias("direction"),
        )
    )
    ids = [
        event_id(s, d.date() if d.hour == d.minute == 0 else d)
        for s, d in zip(ev["series_id"], ev["start_ds"], strict=True)
    ]
    return (
        ev.with_columns(pl.Series("event_id", ids))
        .select(EVENT_COLUMNS)
        .sort("series_id", "start_ds")
    )


# ---- root cause ------------------------------------------------------------------------------


def explain(
    detail: pl.DataFrame,
    *,
    start: Any,
    end: Any,
    baseline_days: int = 14,
    dimensions: Sequence[str] = ("account", "service", "region", "usage_type", "resource"),
    path_dimensions: Sequence[str] = ("account", "service", "region", "usage_type"),
    top: int = 3,
) -> dict[str, Any]:
    """What explains a jump between the ``baseline_days`` before ``start`` and ``[start, end]``.

    ``detail`` has ``ds`` (date), ``cost`` and one column per dimension, for the event's scope.
    Compares average daily cost per value in the event against the baseline: ``path`` is the
    top combinations of ``path_dimensions`` (AWS Cost Anomaly Detection's root causes: account,
    service, region, usage type), ``by_dimension`` the top values of each dimension alone, each
    with its daily ``delta``, its ``impact`` over the event and its ``share`` of the whole change."""
    start_d, end_d = _as_date(start), _as_date(end)
    days = (end_d - start_d).days + 1
    base_start = start_d - dt.timedelta(days=baseline_days)
    d = detail.with_columns(pl.col("ds").cast(pl.Date), pl.col("cost").cast(pl.Float64))
    d = d.filter((pl.col("ds") >= base_start) & (pl.col("ds") <= end_d)).with_columns(
        pl.when(pl.col("ds") >= start_d).then(pl.lit("event")).otherwise(pl.lit("base")).alias("_w")
    )
    base_days = max(1, min(baseline_days, (start_d - base_start).days))
    total = _deltas(d, [], days, base_days)
    total_delta = float(total["delta"][0]) if total.height else 0.0
    sign = 1.0 if total_delta >= 0 else -1.0

    def ranked(keys: list[str]) -> list[dict[str, Any]]:
        t = _deltas(d, keys, days, base_days).with_columns((pl.col("delta") * sign).alias("_k"))
        t = (
            t.filter(pl.col("_k") > 0)
            .sort(["_k", *keys], descending=[True, *[False] * len(keys)])
            .head(top)
        )
        return [
            {
                **{k: r[k] for k in keys},
                "baseline_daily": r["base_daily"],
                "event_daily": r["event_daily"],
                "delta": r["delta"],
                "impact": r["delta"] * days,
                "share": (r["delta"] / total_delta) if total_delta else None,
            }
            for r in t.iter_rows(named=True)
        ]

    present = [k for k in dimensions if k in d.columns]
    return {
        "total_delta": total_delta,
        "total_impact": total_delta * days,
        "path": ranked([k for k in path_dimensions if k in d.columns]),
        "by_dimension": {k: ranked([k]) for k in present},
    }


def _deltas(d: pl.DataFrame, keys: list[str], days: int, base_days: int) -> pl.DataFrame:
    grouped = d.group_by(keys) if keys else d.group_by(pl.lit(1).alias("_all"))
    return grouped.agg(
        (pl.col("cost").filter(pl.col("_w") == "event").sum() / days).alias("event_daily"),
        (pl.col("cost").filter(pl.col("_w") == "base").sum() / base_days).alias("base_daily"),
    ).with_columns((pl.col("event_daily") - pl.col("base_daily")).alias("delta"))


def _as_date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, str):
        return dt.date.fromisoformat(v[:10])
    return v  # type: ignore[no-any-return]


def describe_path(path: Sequence[dict[str, Any]]) -> str:
    """The top root cause as one line: ``account › service › region › usage type (72%)``."""
    if not path:
        return ""
    p = path[0]
    parts = [
        str(p[k])
        for k in ("account", "service", "region", "usage_type")
        if k in p and p[k] is not None
    ]
    share = p.get("share")
    return " › ".join(parts) + (
        f" ({share:.0%})" if share is not None and math.isfinite(share) else ""
    )
