"""The savings inbox workflow: statuses survive re-detection, dismiss needs a note, realised savings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from models_ml.savings.inbox import (
    InboxError,
    current_statuses,
    merge_detections,
    new_large_notifications,
    realised_monthly_savings,
    set_status,
)
from models_ml.savings.usage import Opportunity

NOW = dt.datetime(2026, 10, 20, tzinfo=dt.UTC)


def opp(oid: str = "o1", amount: str = "600") -> Opportunity:
    return Opportunity(
        oid, "aws", "i-1", "payments", "idle", "Idle instance", D(amount), 0.9, {"cpu_p": 0.4}
    )


def test_latest_status_wins_and_dismiss_needs_a_note(tmp_path: Path) -> None:
    lake = str(tmp_path)
    set_status(lake, "o1", "accepted", "ana")
    with pytest.raises(InboxError, match="needs a note"):
        set_status(lake, "o1", "dismissed", "bo")
    set_status(lake, "o1", "dismissed", "bo", "reserved for the Black Friday peak")
    st = current_statuses(lake)
    assert st["o1"]["status"] == "dismissed" and st["o1"]["changed_by"] == "bo"
    with pytest.raises(InboxError, match="no savings opportunity"):
        set_status(lake, "nope", "accepted", "ana", known_ids={"o1"})
    with pytest.raises(InboxError, match="status must be"):
        set_status(lake, "o1", "ignored", "ana")


def test_redetection_keeps_first_detected_at() -> None:
    first = merge_detections(merge_detections(pl_empty(), [opp()], NOW), [], NOW)
    assert first.is_empty()
    a = merge_detections(pl_empty(), [opp()], NOW)
    later = NOW + dt.timedelta(days=7)
    b = merge_detections(a, [opp(), opp("o2")], later)
    rows = {r["opportunity_id"]: r for r in b.iter_rows(named=True)}
    assert rows["o1"]["first_detected_at"] == NOW and rows["o1"]["last_detected_at"] == later
    assert rows["o2"]["first_detected_at"] == later
    assert rows["o1"]["monthly_savings"] == D("600.00")


def test_realised_savings() -> None:
    # $300/month before; $20 over the 10 days since "done" -> 60.83/month now -> 239.17 saved
    assert realised_monthly_savings(D(300), D(20), 10) == D("239.17")
    assert realised_monthly_savings(D(300), D(0), 0) is None


def test_large_open_opportunities_are_announced_once_each() -> None:
    rows = [
        {**_row(opp("o1", "600"))},
        {**_row(opp("o2", "50"))},
        {**_row(opp("o3", "900"))},
    ]
    notes = new_large_notifications(rows, D(500), {"o3": {"status": "dismissed"}})
    assert [n.key for n in notes] == ["savings:o1"]
    assert notes[0].event_type == "savings" and "$600.00/month" in notes[0].payload["text"]


def _row(o: Opportunity) -> dict[str, object]:
    return {
        "opportunity_id": o.opportunity_id, "provider": o.provider, "resource_id": o.resource_id,
        "team_id": o.team_id, "kind": o.kind, "title": o.title, "monthly_savings": o.monthly_savings,
    }  # fmt: skip


def pl_empty():  # type: ignore[no-untyped-def]
    import polars as pl

    return pl.DataFrame()
