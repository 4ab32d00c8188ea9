"""A decision on a savings opportunity (accept, dismiss, done, reopen), from the cockpit or the CLI:
the status log entry (models_ml.savings.inbox, which the weekly run keeps) and the audit event
(app.audit), both in the name of who decided."""

from __future__ import annotations

from app.audit import record
from models_ml.savings.inbox import set_status

# status the opportunity moves to -> the audit log's action
AUDIT_ACTION = {"accepted": "accept", "dismissed": "dismiss", "done": "done", "open": "reopen"}


def decide(
    lake_root: str,
    opportunity_id: str,
    status: str,
    actor: str,
    role: str,
    note: str = "",
    known_ids: set[str] | None = None,
) -> dict[str, object]:
    """Record ``status`` for the opportunity by ``actor`` (checked against ``known_ids``: the ids
    the actor may read) and append the audit event. Raises InboxError / AuditError on bad input."""
    if status not in AUDIT_ACTION:
        from models_ml.savings.inbox import InboxError

        raise InboxError(f"status must be one of {', '.join(AUDIT_ACTION)}, not {status[:40]!r}")
    row = set_status(lake_root, opportunity_id, status, actor, note, known_ids=known_ids)
    record(lake_root, actor, role, AUDIT_ACTION[status], f"savings {opportunity_id}", note)
    return row
