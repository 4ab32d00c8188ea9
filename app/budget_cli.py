"""`sibyl budget` and `sibyl anomalies`: what CI jobs and AI agents ask before spending, and the
anomaly workflow from a terminal. Reads the published marts; human decisions go to the logs the
pipeline keeps (models_ml.status), so they count at once and survive re-runs."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from orchestration.settings import Settings

EXIT_OK, EXIT_OPEN, EXIT_ERROR = 0, 1, 2


def latest_budget_rows(s: Settings) -> list[dict[str, Any]]:
    """The cockpit's newest status row per budget, breakers re-evaluated against the overrides log
    now, ordered by scope."""
    from app.cockpit import queries as q
    from models_ml.status import overrides

    cols, rows = q.budget_latest(q.Marts(s.marts_dir), overrides(s.lake_root))
    return sorted(
        (dict(zip(cols, r, strict=True)) for r in rows),
        key=lambda r: (r["scope_type"], r["scope_value"], r["budget_id"]),
    )


def budget_status(s: Settings, scope: str | None, fmt: str) -> int:
    from app.cockpit.queries import MartMissing

    try:
        rows = latest_budget_rows(s)
    except MartMissing as e:
        print(f"sibyl budget: {e}", file=sys.stderr)
        return EXIT_ERROR
    if scope:
        rows = [r for r in rows if scope in (r["scope"], f"budget:{r['budget_id']}")]
        if not rows:
            print(
                f"sibyl budget: no budget for scope {scope!r} (scopes look like team:payments, "
                "provider:aws, organization:*, or budget:<id>)",
                file=sys.stderr,
            )
            return EXIT_ERROR
    opened = [r for r in rows if r["breaker_state"] == "open"]
    if fmt == "json":
        keep = (
            "budget_id",
            "scope",
            "period",
            "period_start",
            "period_end",
            "as_of_date",
            "billing_currency",
            "budget_amount",
            "actual_cost_to_date",
            "daily_burn_rate",
            "projected_period_end_cost",
            "projection_method",
            "projected_exhaustion_date",
            "pct_used",
            "projected_pct",
            "thresholds_crossed",
            "alert_level",
            "breaker_state",
            "breaker_reason",
            "override_until",
            "override_by",
        )
        doc = {"breaker_open": bool(opened), "budgets": [{k: r.get(k) for k in keep} for r in rows]}
        print(json.dumps(doc, indent=1, default=str))
    else:
        print(
            f"{'scope':34} {'period':9} {'used':>16} {'of budget':>14} {'%':>7} {'projected %':>11} "
            f"{'alert':7} {'breaker':9}"
        )
        for r in rows:
            print(
                f"{r['scope'][:34]:34} {r['period']:9} {float(r['actual_cost_to_date']):>12,.2f} {r['billing_currency']} "
                f"{float(r['budget_amount']):>14,.2f} {r['pct_used']:>6.1f}% {r['projected_pct']:>10.1f}% "
                f"{r['alert_level']:7} {r['breaker_state']:9}"
            )
        for r in rows:
            if r["breaker_state"] != "closed":
                extra = (
                    f" (override by {r['override_by']} until {r['override_until']})"
                    if r["override_by"]
                    else ""
                )
                print(f"  {r['breaker_state'].upper()}: {r['scope']}: {r['breaker_reason']}{extra}")
        print(f"as of {rows[0]['as_of_date'] if rows else 'n/a'}")
    return EXIT_OPEN if opened else EXIT_OK


def budget_override(s: Settings, scope: str, until: str, by: str, note: str) -> int:
    from models_ml.status import StatusError, add_override

    try:
        when = dt.datetime.fromisoformat(until)
        o = add_override(s.lake_root, scope, when, by, note)
        # AI budget checks read the published state (local or in the marts' bucket): count it now
        from models_ml.ai_budget import add_state_override

        add_state_override(s.marts_dir, o)
        from app.audit import record

        record(
            s.lake_root, o.by, "cli", "override", o.scope, f"until {o.until.isoformat()}; {note}"
        )
    except (ValueError, StatusError) as e:
        print(f"sibyl budget override: {e}", file=sys.stderr)
        return EXIT_ERROR
    print(
        f"override recorded: {o.scope} may spend until {o.until.isoformat()} (by {o.by}); "
        "a tripped breaker there is half_open until then"
    )
    return EXIT_OK


def _anomaly_rows(s: Settings, status: str, limit: int) -> list[dict[str, Any]]:
    """The cockpit's inbox query, with the status changes made since the last run laid over it."""
    from app.cockpit import queries as q
    from models_ml.status import current_statuses

    statuses = q.ANOMALY_STATUSES if status == "all" else (status,)
    cols, rows = q.anomaly_inbox(
        q.Marts(s.marts_dir), statuses, fresh_status=current_statuses(s.lake_root), limit=limit
    )
    return [dict(zip(cols, r, strict=True)) for r in rows]


def anomalies_list(s: Settings, status: str, limit: int) -> int:
    from app.cockpit.queries import MartMissing

    try:
        rows = _anomaly_rows(s, status, limit)
    except MartMissing as e:
        print(f"sibyl anomalies: {e}", file=sys.stderr)
        return EXIT_ERROR
    print(
        f"{'event_id':17} {'scope':38} {'dates':23} {'impact':>14} {'conf':>5} {'status':12} root cause"
    )
    for r in rows:
        scope = f"{r['scope_type']}:{r['scope_value']}"[:38]
        print(
            f"{r['event_id']:17} {scope:38} {r['start_date']}..{r['end_date']} "
            f"{float(r['cost_impact']):>10,.2f} {r['billing_currency']} {r['confidence']:>5.2f} {r['status']:12} "
            f"{r['root_cause_path'] or ''}"
        )
    return EXIT_OK


def anomaly_set_status(s: Settings, event_id: str, status: str, by: str, note: str) -> int:
    from app.cockpit.queries import MartMissing
    from models_ml.status import StatusError, set_anomaly_status

    try:
        known = {r["event_id"] for r in _anomaly_rows(s, "all", 10**9)}
        set_anomaly_status(s.lake_root, event_id, status, by, note, known_ids=known)
    except (MartMissing, StatusError) as e:
        print(f"sibyl anomalies: {e}", file=sys.stderr)
        return EXIT_ERROR
    print(f"{event_id}: {status} by {by}")
    return EXIT_OK
