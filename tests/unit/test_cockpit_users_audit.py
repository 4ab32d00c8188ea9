"""Users (argon2 hashes, roles, scopes), the signed session token and the append-only audit log."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import time

import pytest

from app import audit
from app.users import UserError, add_user, authenticate, load, remove_user


def test_users_file_holds_argon2_hashes_only(tmp_path) -> None:
    f = tmp_path / "users.json"
    add_user(f, "pat", "correct horse", "engineering", ("payments",), "Pat")
    raw = f.read_text()
    assert "correct horse" not in raw and "$argon2id$" in raw
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
    u = authenticate(f, "pat", "correct horse")
    assert u is not None and u.team_scope == ("payments",) and u.can("dispute")
    assert not u.can("override") and not u.can("audit")
    assert authenticate(f, "pat", "wrong password") is None
    assert authenticate(f, "nobody", "correct horse") is None


def test_roles_and_scopes(tmp_path) -> None:
    f = tmp_path / "users.json"
    fin = add_user(f, "fin", "12345678", "finance")
    exe = add_user(f, "exe", "12345678", "executive")
    adm = add_user(f, "adm", "12345678", "admin")
    assert fin.team_scope is None and fin.can("override")
    assert exe.team_scope is None and not exe.can("acknowledge")
    assert adm.can("audit")
    with pytest.raises(UserError, match="at least one team"):
        add_user(f, "eng", "12345678", "engineering")
    with pytest.raises(UserError, match="role"):
        add_user(f, "x", "12345678", "root")
    with pytest.raises(UserError, match="8 characters"):
        add_user(f, "y", "short", "finance")
    with pytest.raises(UserError, match="username"):
        add_user(f, "a b'; drop", "12345678", "finance")
    assert remove_user(f, "exe") and set(load(f)) == {"fin", "adm"}


def test_malformed_users_file_is_an_error_naming_it(tmp_path) -> None:
    f = tmp_path / "users.json"
    f.write_text('{"users": [{"username": "x"}]}')
    with pytest.raises(UserError, match="users.json"):
        load(f)


def test_session_token_is_signed_and_expires(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SIBYL_USERS_FILE", str(tmp_path / "users.json"))
    monkeypatch.delenv("SIBYL_COCKPIT_SECRET", raising=False)
    from app.cockpit import session

    tok = session.sign("pat")
    assert session.verify(tok) == "pat"
    assert stat.S_IMODE(os.stat(tmp_path / ".cockpit_secret").st_mode) == 0o600
    assert session.verify(tok, now=time.time() + session.SESSION_SECONDS + 5) is None
    head, body, sig = tok.split(".")
    forged = ".".join([head, body.replace(body[5], "A" if body[5] != "A" else "B", 1), sig])
    assert session.verify(forged) is None
    monkeypatch.setenv("SIBYL_COCKPIT_SECRET", "another key, long enough for HS256 use")
    assert session.verify(tok) is None  # signed with another key
    monkeypatch.setenv("SIBYL_COCKPIT_SECRET", "short")
    with pytest.raises(ValueError, match="32 characters"):
        session.sign("pat")
    monkeypatch.setenv("SIBYL_COCKPIT_SECRET", "another key, long enough for HS256 use")
    assert session.verify("") is None and session.verify("x" * 5000) is None


def test_audit_log_appends_one_file_per_event(tmp_path) -> None:
    lake = str(tmp_path / "lake")
    t0 = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
    a = audit.record(lake, "pat", "engineering", "dispute", "resource i-1", "not ours", now=t0)
    b = audit.record(
        lake,
        "fin",
        "finance",
        "resolve",
        "anomaly e1",
        "batch job",
        now=t0 + dt.timedelta(minutes=1),
    )
    files = sorted((tmp_path / "lake" / "audit" / "events").rglob("*.json"))
    assert len(files) == 2
    assert json.loads(files[0].read_text())["actor"] == "pat"
    evs = audit.events(lake)
    assert [e.event_id for e in evs] == [b.event_id, a.event_id]  # newest first
    with pytest.raises(audit.AuditError, match="unknown"):
        audit.record(lake, "pat", "engineering", "delete-everything")
    with pytest.raises(audit.AuditError, match="who"):
        audit.record(lake, " ", "engineering", "dispute")
    with pytest.raises(audit.AuditError, match="note"):
        audit.record(lake, "pat", "engineering", "dispute", note="x" * 5000)
