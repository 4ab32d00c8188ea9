"""The decision logs (anomaly status, savings inbox, breaker overrides) share one set of input
bounds: who decided, the note and the id are bounded, and refusals never echo a long value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from models_ml.savings.inbox import InboxError, current_statuses, set_status
from models_ml.status import StatusError, add_override, latest_status, set_anomaly_status
from models_ml.status_log import MAX_BY, MAX_ID, MAX_NOTE

LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "x" * (MAX_BY + 1)}, "at most 200"),
        ({"by": "   "}, "say who"),
        ({"note": "n" * (MAX_NOTE + 1)}, "longer than 2000"),
        ({"event_id": "e" * (MAX_ID + 1)}, "1 to 200"),
        ({"event_id": ""}, "1 to 200"),
        ({"status": "closed" * 100}, "one of"),
    ],
)
def test_anomaly_status_bounds(tmp_path: Path, kwargs: dict[str, str], message: str) -> None:
    args = {"event_id": "e1", "status": "acknowledged", "by": "alice", "note": ""} | kwargs
    with pytest.raises(StatusError, match=message) as err:
        set_anomaly_status(str(tmp_path), **args)
    assert len(str(err.value)) < 200  # a refusal quotes at most a short excerpt
    assert latest_status(str(tmp_path)).is_empty()  # nothing was written


def test_savings_and_anomaly_logs_share_the_rules(tmp_path: Path) -> None:
    lake = str(tmp_path)
    with pytest.raises(InboxError, match="at most 200"):
        set_status(lake, "o1", "accepted", "y" * 201)
    with pytest.raises(InboxError, match="longer than 2000"):
        set_status(lake, "o1", "dismissed", "bob", "n" * 2001)
    row = set_status(lake, "o1", "dismissed", "  bob  ", "  reserved already  ")
    assert (row["changed_by"], row["note"]) == ("bob", "reserved already")
    assert current_statuses(lake)["o1"]["status"] == "dismissed"
    # each log keeps its own table: the savings decision is not an anomaly status
    assert latest_status(lake).is_empty()


def test_override_bounds(tmp_path: Path) -> None:
    lake = str(tmp_path)
    with pytest.raises(StatusError, match="at most 200"):
        add_override(lake, "team:payments", LATER, "z" * 201)
    with pytest.raises(StatusError, match="longer than 2000"):
        add_override(lake, "team:payments", LATER, "carol", "n" * 2001)
    with pytest.raises(StatusError, match="scope") as err:
        add_override(lake, "team:" + "p" * 500, LATER, "carol")
    assert len(str(err.value)) < 200
