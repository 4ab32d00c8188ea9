"""Append-only audit log of cockpit and CLI actions: ``<lake>/audit/events/<YYYY-MM-DD>/<time>-<id>.json``.

One JSON file per event, created exclusively (never overwritten, never edited): who, role, when,
action (sign-in, acknowledge, resolve, reopen, accept, dismiss, done, override, dispute, ...), what it was about and a note.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from ingest import fs as lakefs

ACTIONS = (
    "sign-in",
    "sign-out",
    "acknowledge",
    "resolve",
    "reopen",
    "accept",
    "dismiss",
    "done",
    "override",
    "dispute",
    "users",
)
MAX_NOTE = 2000
MAX_EVENTS_READ = 20_000


class AuditError(ValueError):
    pass


@dataclass(frozen=True)
class Event:
    at: str
    actor: str
    role: str
    action: str
    target: str
    note: str
    event_id: str


def _fs(lake_root: str) -> tuple[Any, str]:
    # the lake's own filesystem (SIBYL_STORAGE_OPTIONS: endpoints; gs:// over the JSON API)
    fs, base = lakefs.get_fs(lake_root)
    return fs, str(base).rstrip("/")


def record(
    lake_root: str,
    actor: str,
    role: str,
    action: str,
    target: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Event:
    """Append one event; refuses unknown actions, empty actors and oversized notes."""
    if action not in ACTIONS:
        raise AuditError(f"unknown audit action {action[:40]!r}")
    if not actor.strip() or len(actor) > 200:
        raise AuditError("an audit event needs who did it")
    if len(note) > MAX_NOTE or len(target) > 500:
        raise AuditError(f"note at most {MAX_NOTE} characters, target at most 500")
    at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    ev = Event(at.isoformat(), actor, role, action, target, note, uuid.uuid4().hex)
    fs, base = _fs(lake_root)
    folder = f"{base}/audit/events/{at:%Y-%m-%d}"
    fs.makedirs(folder, exist_ok=True)
    path = f"{folder}/{at:%H%M%S%f}-{ev.event_id}.json"
    if fs.exists(path):
        raise AuditError("audit event already exists")  # uuid collision: never overwrite
    body = json.dumps(asdict(ev))
    if "://" not in lake_root or lake_root.startswith("file://"):
        with open(path, "x", encoding="utf-8") as fh:  # exclusive create: never overwrites
            fh.write(body)
    else:
        with fs.open(path, "w", encoding="utf-8") as fh:
            fh.write(body)
    return ev


def events(lake_root: str, limit: int = 1000) -> list[Event]:
    """The newest ``limit`` events, newest first (unreadable files are skipped and counted)."""
    fs, base = _fs(lake_root)
    folder = f"{base}/audit/events"
    if not fs.exists(folder):
        return []
    paths = sorted(fs.glob(f"{folder}/*/*.json"), reverse=True)[: min(limit, MAX_EVENTS_READ)]
    out = []
    for p in paths:
        try:
            with fs.open(p, "r", encoding="utf-8") as fh:
                d = json.load(fh)
            out.append(Event(**{k: str(d.get(k, "")) for k in Event.__dataclass_fields__}))
        except (OSError, ValueError, TypeError):
            continue
    return sorted(out, key=lambda e: e.at, reverse=True)
