"""The savings action inbox: opportunities, their human status, realised savings, webhooks.

Opportunities are re-detected every run (``ml/savings_opportunities``, replaced whole); people's
decisions live in an append-only log (``ml/savings_status``), latest entry wins, so a re-run never
loses them — the same workflow as anomalies:

    open -> accepted -> done        (realised savings measured after "done")
    open -> dismissed (with a note) -> open again if someone reopens it
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from models_ml.notify import Notification
from models_ml.savings.usage import Opportunity
from models_ml.status_log import StatusLog

STATUSES = ("open", "accepted", "dismissed", "done")
OPPORTUNITIES = "savings_opportunities"
STATUS_LOG = "savings_status"
DAYS_PER_MONTH = Decimal("30.4167")
OPPORTUNITY_SCHEMA: dict[str, pl.DataType] = {
    "opportunity_id": pl.String(),
    "provider": pl.String(),
    "resource_id": pl.String(),
    "team_id": pl.String(),
    "kind": pl.String(),
    "title": pl.String(),
    "monthly_savings": pl.Decimal(18, 2),
    "confidence": pl.Float64(),
    "evidence_json": pl.String(),
    "first_detected_at": pl.Datetime("us", "UTC"),
    "last_detected_at": pl.Datetime("us", "UTC"),
}


class InboxError(ValueError):
    pass


SAVINGS_LOG = StatusLog(
    table=STATUS_LOG,
    id_column="opportunity_id",
    statuses=STATUSES,
    noun="savings opportunity",
    error=InboxError,
    note_required={"dismissed": "dismissing an opportunity needs a note (why it does not apply)"},
)
STATUS_SCHEMA = SAVINGS_LOG.schema


def set_status(
    lake_root: str,
    opportunity_id: str,
    status: str,
    by: str,
    note: str = "",
    known_ids: set[str] | None = None,
) -> dict[str, object]:
    """Record a decision. Dismissing needs a note (why not); ids are checked when known."""
    return SAVINGS_LOG.record(lake_root, opportunity_id, status, by, note, known_ids)


def current_statuses(lake_root: str) -> dict[str, dict[str, Any]]:
    """opportunity_id -> its latest status row."""
    return {r["opportunity_id"]: r for r in SAVINGS_LOG.latest(lake_root).iter_rows(named=True)}


def merge_detections(
    previous: pl.DataFrame, found: Sequence[Opportunity], now: dt.datetime
) -> pl.DataFrame:
    """This run's opportunities, keeping when each was first detected. An opportunity that is no
    longer detected drops out of the table; its status log stays."""
    first_seen: dict[str, Any] = {}
    if not previous.is_empty() and "first_detected_at" in previous.columns:
        first_seen = dict(
            zip(previous["opportunity_id"], previous["first_detected_at"], strict=True)
        )
    rows = [
        {
            "opportunity_id": o.opportunity_id,
            "provider": o.provider,
            "resource_id": o.resource_id,
            "team_id": o.team_id,
            "kind": o.kind,
            "title": o.title,
            "monthly_savings": o.monthly_savings,
            "confidence": o.confidence,
            "evidence_json": o.evidence_json(),
            "first_detected_at": first_seen.get(o.opportunity_id) or now,
            "last_detected_at": now,
        }
        for o in found
    ]
    return pl.DataFrame(rows, schema=OPPORTUNITY_SCHEMA)


def realised_monthly_savings(
    baseline_monthly: Decimal, cost_since_done: Decimal, days_since_done: int
) -> Decimal | None:
    """What a done opportunity saves per month: the resource's monthly cost before, minus its
    cost since "done" scaled to a month. None until a full day has passed."""
    if days_since_done < 1:
        return None
    after = cost_since_done / Decimal(days_since_done) * DAYS_PER_MONTH
    return (baseline_monthly - after).quantize(Decimal("0.01"))


def new_large_notifications(
    opportunities: Iterable[dict[str, Any]], threshold: Decimal, statuses: dict[str, dict[str, Any]]
) -> list[Notification]:
    """A webhook message for each open opportunity worth at least ``threshold`` a month; the key
    is the opportunity id, so each is announced once per webhook, ever."""
    out = []
    for o in opportunities:
        amount = Decimal(str(o["monthly_savings"]))
        status = statuses.get(o["opportunity_id"], {}).get("status", "open")
        if amount < threshold or status != "open":
            continue
        text = f"Savings opportunity for team {o['team_id']}: {o['title']} — about ${amount:,.2f}/month ({o['kind']}, {o['resource_id']})"
        out.append(
            Notification(
                key=f"savings:{o['opportunity_id']}",
                event_type="savings",
                payload={
                    "text": text,
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
                    "sibyl": {
                        "type": "savings",
                        **{
                            k: str(o[k])
                            for k in (
                                "opportunity_id",
                                "provider",
                                "resource_id",
                                "team_id",
                                "kind",
                                "title",
                                "monthly_savings",
                            )
                        },
                    },
                },
            )
        )
    return out
