"""Anomaly inbox queries: events with their status (the status log laid over the mart), counts,
the scored series around an event and a team's own anomalies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from app.cockpit.queries.core import Marts

ANOMALY_STATUSES = ("open", "acknowledged", "resolved")


def anomaly_inbox(
    m: Marts,
    statuses: tuple[str, ...] = ("open", "acknowledged"),
    scope_type: str | None = None,
    fresh_status: dict[str, tuple[str, str, str]] | None = None,
    limit: int = 500,
    scope_value: str | None = None,
    include_expired: bool = False,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Anomaly events, newest first, with their status, kind, whether still ongoing, owner, age
    (days, as of the last day of data) and lifecycle state; ``fresh_status`` (event -> status, by,
    note, from the status log) overrides the mart for changes made since the last pipeline run.
    Open events the lifecycle rule expired are left out unless ``include_expired``."""
    sql = """select event_id, start_date, end_date, scope_type, scope_value, owner_team_id, age_days,
                    kind, is_ongoing, lifecycle_state, billing_currency, cost_impact,
                    actual_cost, expected_cost, confidence, methods, root_cause_path, status, status_by,
                    status_note, series_id, root_cause_json
             from read_parquet($fct_cost_anomalies)
             where ($scope_type is null or scope_type = $scope_type)
               and ($scope_value is null or scope_value = $scope_value)
             order by end_date desc, cost_impact desc"""
    cols, rows = m.columns(
        sql, {"scope_type": scope_type, "scope_value": scope_value}, marts=("fct_cost_anomalies",)
    )
    rows = apply_status(cols, rows, fresh_status or {})
    i, lc = cols.index("status"), cols.index("lifecycle_state")
    return cols, [
        r
        for r in rows
        if r[i] in statuses and (include_expired or not (r[i] == "open" and r[lc] == "expired"))
    ][:limit]


def apply_status(
    cols: list[str], rows: list[tuple[Any, ...]], fresh: dict[str, tuple[str, str, str]]
) -> list[tuple[Any, ...]]:
    """Rows with status, status_by and status_note replaced by the newer entries of ``fresh``."""
    if not fresh:
        return rows
    e, s, b, n = (cols.index(c) for c in ("event_id", "status", "status_by", "status_note"))
    out = []
    for r in rows:
        if r[e] in fresh:
            r = list(r)  # type: ignore[assignment]
            r[s], r[b], r[n] = fresh[r[e]]  # type: ignore[index]
            r = tuple(r)
        out.append(r)
    return out


def anomaly_kpis(rows: list[tuple[Any, ...]], cols: list[str]) -> dict[str, Any]:
    """Counts and open cost impact of the inbox rows (all statuses)."""
    s, imp = cols.index("status"), cols.index("cost_impact")
    return {k: sum(1 for r in rows if r[s] == k) for k in ANOMALY_STATUSES} | {
        "open_impact": sum((r[imp] for r in rows if r[s] == "open"), Decimal(0))
    }


def anomaly_series(
    m: Marts, series_id: str, start: dt.date, end: dt.date, pad_days: int = 45
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A scored series around an event: actual, expected and band per day."""
    sql = """select ds, y, expected, lower, upper, is_anomaly from read_parquet($fct_anomaly_series)
             where series_id = $sid and ds between $start and $end order by ds"""
    return m.columns(
        sql,
        {
            "sid": series_id,
            "start": start - dt.timedelta(days=pad_days),
            "end": end + dt.timedelta(days=pad_days),
        },
        marts=("fct_anomaly_series",),
    )


def team_anomalies(m: Marts, team_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The anomaly events on a team's own series, as the inbox lists them (latest first)."""
    cols, rows = anomaly_inbox(m, ANOMALY_STATUSES, scope_type="team", scope_value=team_id)
    keep = [i for i, c in enumerate(cols) if c not in ("series_id", "root_cause_json")]
    return [cols[i] for i in keep], [tuple(r[i] for i in keep) for r in rows]
