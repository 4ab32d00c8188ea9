"""Prophet fits, run in worker processes over many series (both cores; Prophet fits are ~50 ms each,
most of it pandas set-up and CmdStan's process start, so series are spread across processes).

Prophet's interval for a point in the fitted history is its yhat plus observation noise
(``sigma_obs``, on Prophet's scaled y); with ``uncertainty_samples=0`` Prophet skips its Monte Carlo
draws and ``yhat ± z·sigma_obs·y_scale`` gives that interval exactly, at a fifth of the cost.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models_ml.frames import map_chunks

log = logging.getLogger(__name__)


def available() -> bool:
    """Whether Prophet (and its CmdStan model) can be imported here."""
    try:
        import prophet  # noqa: F401
    except Exception:
        return False
    return True


@dataclass(frozen=True)
class ProphetTask:
    key: str
    ds: np.ndarray  # datetime64[us]
    y: np.ndarray  # float64
    horizon: int = 0  # future steps to predict after the last ds
    freq_seconds: float = 86400.0
    in_sample: bool = False  # also predict the history (yhat per input point)


@dataclass(frozen=True)
class ProphetResult:
    key: str
    fitted: np.ndarray | None  # yhat over the history
    sigma: float | None  # observation noise in y units
    future: np.ndarray | None  # yhat for the horizon
    error: str | None = None


def _quiet() -> None:
    for name in ("cmdstanpy", "prophet", "prophet.plot"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
    logging.getLogger("cmdstanpy").disabled = True


def fit_one(task: ProphetTask) -> ProphetResult:
    """Fit Prophet (MAP, no sampling) on one series; never raises (the error is returned)."""
    _quiet()
    try:
        import pandas as pd
        from prophet import Prophet

        hist = pd.DataFrame({"ds": pd.to_datetime(task.ds), "y": task.y})
        m = Prophet(
            uncertainty_samples=0,
            daily_seasonality="auto",
            weekly_seasonality="auto",
            yearly_seasonality="auto",
        )
        m.fit(hist)
        sigma = float(np.mean(m.params["sigma_obs"])) * float(m.y_scale or 1.0)
        fitted = m.predict(hist[["ds"]])["yhat"].to_numpy(dtype=float) if task.in_sample else None
        future = None
        if task.horizon:
            step = pd.Timedelta(seconds=task.freq_seconds)
            last = hist["ds"].iloc[-1]
            ds_future = pd.DataFrame({"ds": [last + step * (i + 1) for i in range(task.horizon)]})
            future = m.predict(ds_future)["yhat"].to_numpy(dtype=float)
        return ProphetResult(task.key, fitted, sigma, future)
    except Exception as e:  # Prophet/CmdStan failures are per series: the method is skipped there
        return ProphetResult(task.key, None, None, None, f"{type(e).__name__}: {e}")


def _fit_chunk(tasks: Sequence[ProphetTask]) -> list[ProphetResult]:
    return [fit_one(t) for t in tasks]


def fit_many(tasks: Sequence[ProphetTask], n_workers: int) -> dict[str, ProphetResult]:
    """Fit every task, in ``n_workers`` processes when there are enough tasks to pay for them."""
    results: list[ProphetResult] = map_chunks(_fit_chunk, tasks, n_workers, min_parallel=8)
    failed = [r for r in results if r.error]
    if failed:
        log.warning(
            "Prophet failed on %d of %d series (first: %s: %s)",
            len(failed),
            len(results),
            failed[0].key,
            failed[0].error,
        )
    return {r.key: r for r in results}
