"""Build a month's statements and announce them: what `sibyl report` and the monthly Dagster
asset call. The announcement is a webhook notification (event type ``statements``, one delivery
per webhook and month, logged like the anomaly and budget notifications)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.cockpit.queries import Marts
from app.statements.data import CENT, check_month, statements
from app.statements.render import write_statements


def reports_dir(data_dir: str) -> str:
    return str(Path(data_dir) / "reports")


def build_month(
    marts_dir: str, out_dir: str, month: str, team: str | None = None
) -> dict[str, Any]:
    """Write ``out_dir/YYYY-MM/`` (every team and business unit, or one team and its unit)."""
    check_month(month)
    return write_statements(statements(Marts(marts_dir), month, team), out_dir)


def announcement(index: dict[str, Any]) -> Any:
    """The webhook notification for a month's statements (Slack-compatible text + facts)."""
    from models_ml.notify import Notification

    month = str(index["month"])
    entries = index["statements"]
    teams = [e for e in entries if e["kind"] == "team"]
    totals: dict[str, str] = {}
    for e in teams:
        totals[e["currency"]] = str(
            (Decimal(totals.get(e["currency"], "0")) + Decimal(e["total"])).quantize(CENT)
        )
    text = (
        f"Sibyl: {len(teams)} team and {len(entries) - len(teams)} business unit statements for "
        f"{month} are ready ({', '.join(f'{v} {k}' for k, v in sorted(totals.items()))})."
    )
    payload = {
        "text": text,
        "sibyl": {
            "event": "statements",
            "month": month,
            "statements": len(entries),
            "totals": totals,
        },
    }
    return Notification(key=f"statements:{month}", event_type="statements", payload=payload)


def announce(lake_root: str, webhooks_file: str, index: dict[str, Any]) -> dict[str, int]:
    """Send the announcement to every webhook that wants ``statements`` and has not had it."""
    import polars as pl

    from models_ml.notify import deliver, load_webhooks, log_row, plan_deliveries
    from models_ml.runs import DELIVERY_SCHEMA, delivery_log
    from models_ml.store import append_log

    hooks = load_webhooks(webhooks_file) if webhooks_file else []
    logd = delivery_log(lake_root)
    delivered = (
        set(logd.filter(pl.col("status") == "delivered").select("webhook", "event_key").iter_rows())
        if not logd.is_empty()
        else set()
    )
    todo = plan_deliveries(hooks, [announcement(index)], delivered)
    if not todo:
        return {"webhooks": len(hooks), "sent": 0, "delivered": 0}
    now = dt.datetime.now(dt.UTC)
    pending = [log_row(h, n, "pending", now) for h, n in todo]
    append_log(lake_root, "webhook_deliveries", pl.DataFrame(pending, schema=DELIVERY_SCHEMA))
    results = [deliver(h, n) for h, n in todo]
    append_log(lake_root, "webhook_deliveries", pl.DataFrame(results, schema=DELIVERY_SCHEMA))
    ok = sum(r["status"] == "delivered" for r in results)
    return {"webhooks": len(hooks), "sent": len(results), "delivered": ok}
