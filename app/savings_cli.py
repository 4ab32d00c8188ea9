"""`sibyl savings list|accept|dismiss|done|reopen`: the savings inbox from a terminal.

Reads the published mart ``fct_savings_opportunities.parquet`` and lays the status log over it
(models_ml.savings.inbox), so a decision counts at once and survives the next weekly run."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from orchestration.settings import Settings

EXIT_OK, EXIT_ERROR = 0, 2
MART = "fct_savings_opportunities"
STATUSES = ("open", "accepted", "dismissed", "done", "all")


class MartMissingError(RuntimeError):
    pass


def opportunity_rows(s: Settings) -> list[dict[str, Any]]:
    """Every opportunity of the published mart, with its current status from the log."""
    from ingest import duckdb_fs
    from ingest import fs as lakefs
    from models_ml.savings.inbox import current_statuses

    path = lakefs.join(s.marts_dir, f"{MART}.parquet")
    if not lakefs.exists(path):
        raise MartMissingError(
            f"{MART} is not published yet under {lakefs.redact(s.marts_dir)} "
            "(run `sibyl demo` or the savings_weekly job)"
        )
    con = duckdb_fs.connect(s.marts_dir)
    try:
        rel = con.execute(
            "select * from read_parquet($p) order by monthly_savings desc, opportunity_id",
            {"p": path},
        )
        cols = [d[0] for d in rel.description]
        rows = [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.close()
    latest = current_statuses(s.lake_root)
    for r in rows:
        st = latest.get(r["opportunity_id"])
        if st:
            r["status"], r["status_changed_by"], r["status_note"] = (
                st["status"],
                st["changed_by"],
                st["note"],
            )
    return rows


def savings_list(
    s: Settings, status: str, team: str | None, kind: str | None, limit: int, fmt: str
) -> int:
    try:
        rows = opportunity_rows(s)
    except MartMissingError as e:
        print(f"sibyl savings: {e}", file=sys.stderr)
        return EXIT_ERROR
    rows = [
        r for r in rows
        if (status == "all" or r["status"] == status) and (not team or r["team_id"] == team) and (not kind or r["kind"] == kind)
    ][: max(limit, 0)]  # fmt: skip
    if fmt == "json":
        keep = (
            "opportunity_id",
            "provider",
            "resource_id",
            "team_id",
            "kind",
            "title",
            "monthly_savings",
            "confidence",
            "status",
            "status_note",
        )
        print(json.dumps([{k: r.get(k) for k in keep} for r in rows], default=str, indent=1))
        return EXIT_OK
    total = sum((Decimal(str(r["monthly_savings"])) for r in rows), Decimal(0))
    print(
        f"{'opportunity_id':17} {'team':16} {'kind':10} {'$/month':>10} {'conf':>5} {'status':10} title"
    )
    for r in rows:
        print(
            f"{r['opportunity_id']:17} {str(r['team_id'])[:16]:16} {r['kind']:10} {float(r['monthly_savings']):>10,.2f} "
            f"{float(r['confidence']):>5.2f} {r['status']:10} {str(r['title'])[:70]}"
        )
    print(f"{len(rows)} opportunities, ${total:,.2f} per month")
    return EXIT_OK


def savings_set_status(s: Settings, opportunity_id: str, status: str, by: str, note: str) -> int:
    """Record the decision in the status log and the audit log (role ``cli``)."""
    from app.audit import AuditError
    from app.savings_actions import decide
    from models_ml.savings.inbox import InboxError

    try:
        known = {r["opportunity_id"] for r in opportunity_rows(s)}
        decide(s.lake_root, opportunity_id, status, by, "cli", note, known_ids=known)
    except (MartMissingError, InboxError, AuditError) as e:
        print(f"sibyl savings: {e}", file=sys.stderr)
        return EXIT_ERROR
    print(f"{opportunity_id}: {status} by {by}")
    return EXIT_OK


def add_parser(sub: Any) -> None:
    """Register `sibyl savings ...` on the main CLI's subparsers."""
    p = sub.add_parser(
        "savings", help="the savings inbox: list opportunities, accept, dismiss, mark done"
    )
    ps = p.add_subparsers(dest="action", required=True)
    pl = ps.add_parser("list")
    pl.add_argument("--status", choices=STATUSES, default="open")
    pl.add_argument("--team")
    pl.add_argument("--kind", choices=["rightsize", "idle", "modernize", "purchase"])
    pl.add_argument("--limit", type=int, default=20)
    pl.add_argument("--format", choices=["table", "json"], default="table")
    for name, needs_note in (
        ("accept", False),
        ("dismiss", True),
        ("done", False),
        ("reopen", False),
    ):
        pa = ps.add_parser(name)
        pa.add_argument("opportunity_id")
        pa.add_argument("--by", required=True)
        pa.add_argument(
            "--note", required=needs_note, help="why (required to dismiss)" if needs_note else None
        )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    s = Settings.from_env()
    if args.action == "list":
        return savings_list(s, args.status, args.team, args.kind, args.limit, args.format)
    status = {"accept": "accepted", "dismiss": "dismissed", "done": "done", "reopen": "open"}[
        args.action
    ]
    return savings_set_status(s, args.opportunity_id, status, args.by, args.note or "")
