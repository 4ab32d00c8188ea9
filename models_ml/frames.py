"""Input handling shared by the ML functions: long ``series_id, ds, y`` frames, polars or pandas."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

REQUIRED = ("series_id", "ds", "y")


class SeriesFrameError(ValueError):
    """The input frame is not a long ``series_id, ds, y`` frame."""


def as_series_frame(frame: Any, required: tuple[str, ...] = REQUIRED) -> tuple[pl.DataFrame, bool]:
    """A sorted polars frame with ``series_id`` (str), ``ds`` (datetime), ``y`` (float64), and
    whether the caller gave pandas (so results can be handed back the same way)."""
    was_pandas = False
    if not isinstance(frame, pl.DataFrame):
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas comes with prophet
            pd = None
        if pd is not None and isinstance(frame, pd.DataFrame):
            was_pandas = True
            frame = pl.from_pandas(frame)
        else:
            raise SeriesFrameError(
                f"expected a polars or pandas DataFrame, got {type(frame).__name__}"
            )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SeriesFrameError(f"input frame lacks column(s) {missing}; it has {frame.columns}")
    ds_type = frame.schema["ds"]
    ds = pl.col("ds")
    if ds_type == pl.Date:
        ds = ds.cast(pl.Datetime("us"))
    elif ds_type == pl.String:
        ds = ds.str.to_datetime()
    elif not isinstance(ds_type, pl.Datetime):
        raise SeriesFrameError(f"column ds must be a date or timestamp, got {ds_type}")
    else:
        ds = ds.dt.replace_time_zone(None).cast(pl.Datetime("us"))
    out = frame.select(
        pl.col("series_id").cast(pl.String),
        ds.alias("ds"),
        pl.col("y").cast(pl.Float64),
        *[c for c in frame.columns if c not in REQUIRED],
    )
    nulls = out.filter(pl.col("series_id").is_null() | pl.col("ds").is_null())
    if nulls.height:
        raise SeriesFrameError(f"{nulls.height} row(s) have no series_id or ds")
    dupes = out.group_by("series_id", "ds").len().filter(pl.col("len") > 1)
    if dupes.height:
        first = dupes.row(0, named=True)
        raise SeriesFrameError(
            f"{dupes.height} (series_id, ds) pair(s) appear more than once, e.g. {first['series_id']!r} at {first['ds']}"
        )
    return out.sort("series_id", "ds"), was_pandas


def hand_back(result: pl.DataFrame, was_pandas: bool) -> Any:
    return result.to_pandas() if was_pandas else result


# worker processes are reused by the next call within this many seconds, then exit (a CLI run
# must not leave idle workers behind holding its terminal)
IDLE_WORKER_TIMEOUT_S = 10


def map_chunks(
    fn: Callable[..., list[Any]],
    items: Sequence[Any],
    n_workers: int,
    *args: Any,
    min_parallel: int = 2,
) -> list[Any]:
    """``fn(chunk, *args)`` over round-robin chunks of ``items`` (four per worker), in ``n_workers``
    loky processes when there are at least ``min_parallel`` items, results concatenated."""
    if not items:
        return []
    if n_workers <= 1 or len(items) < min_parallel:
        return list(fn(items, *args))
    from joblib import Parallel, delayed

    k = min(len(items), n_workers * 4)
    chunks = [items[i::k] for i in range(k)]
    parts = Parallel(n_jobs=n_workers, backend="loky", idle_worker_timeout=IDLE_WORKER_TIMEOUT_S)(
        delayed(fn)(c, *args) for c in chunks
    )
    return [r for part in parts for r in part]  # type: ignore[union-attr]


def worker_count(n_jobs: int | None, tasks: int) -> int:
    """Processes to use: ``n_jobs`` (-1 or None = every core), never more than there are tasks."""
    cores = os.cpu_count() or 1
    n = cores if n_jobs in (None, -1) else max(1, int(n_jobs))  # type: ignore[arg-type]
    return max(1, min(n, tasks))
