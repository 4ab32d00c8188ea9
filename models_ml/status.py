"""Human decisions the pipeline must keep: anomaly status changes and budget breaker overrides.

Both are append-only logs in the lake (``ml/anomaly_status``, ``ml/budget_overrides``); the latest
entry wins. The cockpit and the CLI write them; re-detection reads them and never overwrites them.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from models_ml import store
from models_ml.budget import Override
from models_ml.status_log import MAX_ID, StatusLog, check_person_and_note

STATUSES = ("open", "acknowledged", "resolved")
OVERRIDE_SCHEMA: dict[str, pl.DataType] = {
    "scope": pl.String(),
    "until": pl.Datetime("us", "UTC"),
    "created_by": pl.String(),
    "note": pl.String(),
    "created_at": pl.Datetime("us", "UTC"),
}


class StatusError(ValueError):
    pass


ANOMALY_LOG = StatusLog(
    table="anomaly_status",
    id_column="event_id",
    statuses=STATUSES,
    noun="anomaly event",
    error=StatusError,
    note_required={"resolved": "resolving an anomaly needs a note (what was it, what was done)"},
)
STATUS_SCHEMA = ANOMALY_LOG.schema


def set_anomaly_status(
    lake_root: str,
    event_id: str,
    status: str,
    by: str,
    note: str = "",
    known_ids: set[str] | None = None,
) -> dict[str, object]:
    """Record a status change (``open``, ``acknowledged``, ``resolved``) by a named person."""
    return ANOMALY_LOG.record(lake_root, event_id, status, by, note, known_ids)


def latest_status(lake_root: str) -> pl.DataFrame:
    """The current status per event (latest change wins)."""
    return ANOMALY_LOG.latest(lake_root)


def current_statuses(lake_root: str) -> dict[str, tuple[str, str, str]]:
    """event_id -> (status, changed_by, note) of the latest change: what readers of the anomaly
    mart lay over it, since the mart only knows the changes made before the last run."""
    return {
        r["event_id"]: (r["status"], r["changed_by"], r["note"])
        for r in latest_status(lake_root).iter_rows(named=True)
    }


def add_override(
    lake_root: str, scope: str, until: dt.datetime, by: str, note: str = ""
) -> Override:
    """Let a tripped scope (``team:payments`` or ``budget:<id>``) spend until ``until`` (half-open)."""
    if ":" not in scope or len(scope) > MAX_ID:
        raise StatusError(f"scope must look like team:payments or budget:<id>, not {scope[:60]!r}")
    by, note = check_person_and_note(by, note, StatusError)
    if until.tzinfo is None:
        until = until.replace(tzinfo=dt.UTC)
    now = dt.datetime.now(dt.UTC)
    if until <= now:
        raise StatusError(f"the override must end in the future (got {until.isoformat()})")
    row = {
        "scope": scope,
        "until": until,
        "created_by": by,
        "note": note,
        "created_at": now,
    }
    store.append_log(lake_root, "budget_overrides", pl.DataFrame([row], schema=OVERRIDE_SCHEMA))
    return Override(scope, until, by, note, now)


def overrides(lake_root: str) -> list[Override]:
    log = store.read_table(lake_root, "budget_overrides", OVERRIDE_SCHEMA)
    return [
        Override(r["scope"], r["until"], r["created_by"], r["note"] or "", r["created_at"])
        for r in log.iter_rows(named=True)
    ]
