"""A labelled set of realistic daily cost series, and event-level precision / recall / F1.

``labelled_series(n_series, n_days, seed)`` draws series the way cloud cost behaves: a level spread
over four orders of magnitude, weekday/weekend patterns, slow trends, multiplicative noise, some
intermittent (batch) series with idle days; about a third get one or two injected anomalies after
day 60 — spikes (×2–×8 for 1–3 days) or level shifts (×1.6–×3 for 10–40 days). The labels are the
injected windows. ``score_events`` counts an injected anomaly as found when a detected event on its
series overlaps its window (a level shift must be caught within its first ``shift_grace_days``), and
a detected event as correct when it overlaps some injected window of its series.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

START = dt.date(2025, 1, 1)


@dataclass(frozen=True)
class Label:
    series_id: str
    kind: str  # spike | shift
    start: dt.date
    end: dt.date
    factor: float


def labelled_series(
    n_series: int = 1000, n_days: int = 400, seed: int = 0, anomaly_share: float = 0.33
) -> tuple[pl.DataFrame, list[Label]]:
    rng = np.random.default_rng(seed)
    t = np.arange(n_days)
    days = [START + dt.timedelta(days=int(i)) for i in t]
    ids: list[str] = []
    ys: list[np.ndarray] = []
    labels: list[Label] = []
    for k in range(n_series):
        sid = f"s{k:05d}"
        level = float(np.exp(rng.uniform(np.log(5), np.log(5000))))
        weekend = rng.uniform(-0.3, 0.15) * (t % 7 >= 5)
        trend = rng.normal(0.0005, 0.001) * t
        noise = rng.normal(0, rng.uniform(0.02, 0.12), n_days)
        y = level * np.clip(1 + weekend + trend + noise, 0.05, None)
        if rng.random() < 0.1:  # batch workloads: idle on some days
            y = y * (rng.random(n_days) > 0.3)
        if rng.random() < anomaly_share:
            for _ in range(int(rng.integers(1, 3))):
                start = int(rng.integers(60, n_days - 5))
                if rng.random() < 0.6:
                    length, factor, kind = (
                        int(rng.integers(1, 4)),
                        float(rng.uniform(2, 8)),
                        "spike",
                    )
                else:
                    length, factor, kind = (
                        int(rng.integers(10, 41)),
                        float(rng.uniform(1.6, 3)),
                        "shift",
                    )
                end = min(n_days - 1, start + length - 1)
                if any(
                    lb.series_id == sid
                    and not (end < (lb.start - START).days - 7 or start > (lb.end - START).days + 7)
                    for lb in labels
                ):
                    continue  # keep injected windows of a series apart
                y[start : end + 1] *= factor
                labels.append(Label(sid, kind, days[start], days[end], factor))
        ids.append(sid)
        ys.append(y)
    frame = pl.DataFrame(
        {"series_id": np.repeat(ids, n_days), "ds": days * n_series, "y": np.concatenate(ys)}
    )
    return frame, labels


def score_events(
    events: pl.DataFrame, labels: list[Label], shift_grace_days: int = 7, slack_days: int = 1
) -> dict[str, float]:
    """Event-level precision, recall and F1 of detected ``events`` (anomaly.events output)."""
    slack = dt.timedelta(days=slack_days)
    by_series: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for r in events.select("series_id", "start_ds", "end_ds").iter_rows():
        by_series.setdefault(r[0], []).append((r[1].date(), r[2].date()))
    found = 0
    for lb in labels:
        end = (
            min(lb.end, lb.start + dt.timedelta(days=shift_grace_days - 1))
            if lb.kind == "shift"
            else lb.end
        )
        if any(
            s <= end + slack and e >= lb.start - slack for s, e in by_series.get(lb.series_id, [])
        ):
            found += 1
    windows: dict[str, list[Label]] = {}
    for lb in labels:
        windows.setdefault(lb.series_id, []).append(lb)
    correct = sum(
        1
        for sid, evs in by_series.items()
        for s, e in evs
        if any(s <= lb.end + slack and e >= lb.start - slack for lb in windows.get(sid, []))
    )
    n_events = sum(len(v) for v in by_series.values())
    precision = correct / n_events if n_events else 0.0
    recall = found / len(labels) if labels else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "labels": float(len(labels)),
        "found": float(found),
        "events": float(n_events),
        "correct_events": float(correct),
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }
