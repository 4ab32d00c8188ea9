"""Root cause of a cost anomaly: which account, service, region, usage type and resource moved
(the way AWS Cost Anomaly Detection shows it)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import polars as pl


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
