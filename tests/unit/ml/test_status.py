"""Human decisions survive re-detection: the status log, event merging, overrides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from models_ml.runs import EVENT_SCHEMA, evaluate_against_truth, merge_events
from models_ml.status import StatusError, add_override, latest_status, overrides, set_anomaly_status

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def ev(eid: str, start: dt.date, when: dt.datetime = T0, **kw: object) -> dict[str, object]:
    return {
        "event_id": eid,
        "series_id": "team:a|USD",
        "scope_type": "team",
        "scope_value": "a",
        "currency": "USD",
        "start_date": start,
        "end_date": start,
        "anomalous_days": 1,
        "actual_cost": 100.0,
        "expected_cost": 10.0,
        "cost_impact": 90.0,
        "max_score": 9.0,
        "confidence": 0.9,
        "methods": "iqr,zscore",
        "direction": "up",
        "root_cause_path": "",
        "root_cause_json": "{}",
        "first_detected_at": when,
        "last_detected_at": when,
        "detected_in_last_run": True,
        **kw,
    }


def frame(*rows: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=EVENT_SCHEMA)


def test_status_log_latest_wins_and_is_validated(tmp_path: Path) -> None:
    lake = str(tmp_path)
    set_anomaly_status(lake, "e1", "acknowledged", "alice")
    set_anomaly_status(lake, "e1", "resolved", "bob", "prompt loop fixed in v2.3")
    set_anomaly_status(lake, "e2", "acknowledged", "carol")
    cur = {r["event_id"]: r for r in latest_status(lake).iter_rows(named=True)}
    assert cur["e1"]["status"] == "resolved" and cur["e1"]["changed_by"] == "bob"
    assert cur["e2"]["status"] == "acknowledged"
    with pytest.raises(StatusError, match="needs a note"):
        set_anomaly_status(lake, "e2", "resolved", "carol")
    with pytest.raises(StatusError, match="one of"):
        set_anomaly_status(lake, "e2", "closed", "carol")
    with pytest.raises(StatusError, match="no anomaly event"):
        set_anomaly_status(lake, "zzz", "acknowledged", "carol", known_ids={"e1"})


def test_merge_keeps_first_seen_adds_new_and_never_drops_touched_events() -> None:
    old = frame(
        ev("keep", dt.date(2026, 10, 1)),
        ev("gone-resolved", dt.date(2026, 9, 1)),
        ev("gone", dt.date(2026, 8, 1)),
    )
    later = T0 + dt.timedelta(days=1)
    new = frame(ev("keep", dt.date(2026, 10, 1), later), ev("fresh", dt.date(2026, 11, 2), later))
    merged, n_new, kept = merge_events(old, new, touched={"gone-resolved"})
    by = {r["event_id"]: r for r in merged.iter_rows(named=True)}
    assert set(by) == {"keep", "gone-resolved", "gone", "fresh"}
    assert n_new == 1 and kept == 1
    assert by["keep"]["first_detected_at"] == T0 and by["keep"]["last_detected_at"] == later
    assert (
        by["gone-resolved"]["detected_in_last_run"] is False
        and by["fresh"]["detected_in_last_run"] is True
    )


def test_overrides_need_a_future_end_and_a_name(tmp_path: Path) -> None:
    lake = str(tmp_path)
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    add_override(lake, "team:payments", until, "alice", "launch")
    [o] = overrides(lake)
    assert o.scope == "team:payments" and o.by == "alice" and o.until == until
    with pytest.raises(StatusError, match="future"):
        add_override(lake, "team:payments", dt.datetime(2020, 1, 1), "alice")
    with pytest.raises(StatusError, match="scope"):
        add_override(lake, "payments", until, "alice")


def test_evaluation_counts_found_injections_and_precision() -> None:
    det = frame(
        ev("tp", dt.date(2026, 10, 9), scope_value="ci-cd"),
        ev("fp", dt.date(2026, 5, 1), scope_value="x"),
    )
    truth = [
        {
            "team_id": "ci-cd",
            "service": "Bedrock",
            "account_id": "1",
            "provider": "aws",
            "start_date": "2026-10-09",
            "end_date": "2026-10-11",
        },
        {
            "team_id": "nobody",
            "service": "S3",
            "account_id": "2",
            "provider": "aws",
            "start_date": "2026-01-01",
            "end_date": "2026-01-01",
        },
    ]
    r = evaluate_against_truth(det, truth)
    assert (
        r["found"] == 1
        and r["recall"] == 0.5
        and r["precision"] == 0.5
        and r["f1"] == pytest.approx(0.5)
    )
