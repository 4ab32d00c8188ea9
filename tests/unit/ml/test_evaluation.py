"""The labelled set: detection must keep finding the injected anomalies without drowning them."""

from __future__ import annotations

import polars as pl

from models_ml.anomaly import detect, events
from models_ml.evaluation import labelled_series, score_events


def test_labelled_set_is_deterministic_and_labelled() -> None:
    a, la = labelled_series(20, 200, seed=3)
    b, lb = labelled_series(20, 200, seed=3)
    assert a.equals(b) and la == lb
    assert a.height == 20 * 200 and a["series_id"].n_unique() == 20
    assert la and {lb.kind for lb in la} <= {"spike", "shift"}


def test_detection_f1_on_the_labelled_set() -> None:
    frame, labels = labelled_series(60, 300, seed=11)
    scored = detect(frame, direction="up", n_jobs=1)
    r = score_events(events(scored), labels)
    assert r["recall"] >= 0.8, r
    assert r["precision"] >= 0.5, r
    assert r["f1"] >= 0.65, r


def test_scoring_counts_overlaps() -> None:
    _, labels = labelled_series(5, 120, seed=5, anomaly_share=1.0)
    ev = pl.DataFrame(
        {
            "series_id": [lb.series_id for lb in labels],
            "start_ds": [lb.start for lb in labels],
            "end_ds": [lb.start for lb in labels],
        },
        schema_overrides={"start_ds": pl.Datetime("us"), "end_ds": pl.Datetime("us")},
    )
    r = score_events(ev, labels)
    assert r["recall"] == 1.0 and r["precision"] == 1.0 and r["f1"] == 1.0
    assert score_events(ev.head(0), labels)["recall"] == 0.0
