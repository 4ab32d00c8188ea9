"""Cockpit users: a local users file with argon2-hashed passwords (the embedded default), roles and
team scopes. Real deployments sign in with Streamlit's OIDC login (``st.login``) and use this file
only to map an e-mail to a role and teams.

File: JSON ``{"users": [{"username", "name", "role", "teams", "password_hash"}]}``, written
atomically with mode 0600. Created and changed with ``sibyl users add|list|remove``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("finance", "engineering", "executive", "admin")
# What each role may do beyond reading (reading is scoped: engineering sees its teams only).
CAN = {
    "finance": {"acknowledge", "resolve", "override", "dispute"},
    "engineering": {"acknowledge", "resolve", "dispute"},
    "executive": set(),
    "admin": {"acknowledge", "resolve", "override", "dispute", "audit", "users"},
}
_NAME = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")
_TEAM = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_USERS = 10_000
MAX_FILE_BYTES = 5_000_000


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    username: str
    role: str
    teams: tuple[str, ...] = ()
    name: str = ""
    password_hash: str = field(default="", repr=False)

    @property
    def team_scope(self) -> tuple[str, ...] | None:
        """The teams whose data this user may read; None = every team."""
        return self.teams if self.role == "engineering" else None

    def can(self, action: str) -> bool:
        return action in CAN.get(self.role, set())

    def public(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("password_hash")
        d["teams"] = list(self.teams)
        return d


def _check(username: str, role: str, teams: tuple[str, ...]) -> None:
    if not _NAME.match(username):
        raise UserError("a username is 1-64 letters, digits or _.@+-")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role[:40]!r}")
    if role == "engineering" and not teams:
        raise UserError("an engineering user needs at least one team (--teams payments,search)")
    for t in teams:
        if not _TEAM.match(t):
            raise UserError(f"invalid team id {t[:40]!r}")


def load(path: str | Path) -> dict[str, User]:
    """username -> User; an absent file is no users. A malformed file is an error naming it."""
    p = Path(path)
    if not p.exists():
        return {}
    if p.stat().st_size > MAX_FILE_BYTES:
        raise UserError(f"{p}: users file larger than {MAX_FILE_BYTES} bytes")
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
        entries = raw["users"]
        if not isinstance(entries, list) or len(entries) > MAX_USERS:
            raise TypeError("users must be a list")
        users = {}
        for e in entries:
            u = User(
                username=str(e["username"]),
                role=str(e["role"]),
                teams=tuple(str(t) for t in e.get("teams", [])),
                name=str(e.get("name", "")),
                password_hash=str(e.get("password_hash", "")),
            )
            _check(u.username, u.role, u.teams)
            users[u.username] = u
        return users
    except (ValueError, KeyError, TypeError) as e:
        raise UserError(f"{p}: not a valid users file ({type(e).__name__}: {str(e)[:120]})") from e


def save(path: str | Path, users: dict[str, User]) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(
        {"users": [asdict(u) | {"teams": list(u.teams)} for u in users.values()]}, indent=1
    )
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".users-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.chmod(tmp, 0o600)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_user(
    path: str | Path,
    username: str,
    password: str | None,
    role: str,
    teams: tuple[str, ...] = (),
    name: str = "",
) -> User:
    """Add or replace a user; ``password`` None makes an OIDC-only user (no local sign-in)."""
    _check(username, role, teams)
    if password is not None and len(password) < 8:
        raise UserError("a password has at least 8 characters")
    if password is not None and len(password) > 1024:
        raise UserError("a password has at most 1024 characters")
    users = load(path)
    h = PasswordHasher().hash(password) if password is not None else ""
    users[username] = User(username, role, tuple(teams), name, h)
    save(path, users)
    return users[username]


def remove_user(path: str | Path, username: str) -> bool:
    users = load(path)
    if users.pop(username, None) is None:
        return False
    save(path, users)
    return True


def authenticate(path: str | Path, username: str, password: str) -> User | None:
    """The user when the password matches its argon2 hash, else None (same answer for an unknown
    user, a wrong password and an OIDC-only user)."""
    if len(username) > 64 or len(password) > 1024:
        return None
    u = load(path).get(username)
    ph = PasswordHasher()
    if u is None or not u.password_hash:
        with contextlib.suppress(VerificationError):  # spend the time of a real check
            ph.verify(ph.hash("x" * 12), "y" * 12)
        return None
    try:
        ph.verify(u.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return u


def by_email(path: str | Path, email: str) -> User | None:
    """The user whose username is this e-mail (OIDC sign-in), else None."""
    return load(path).get(email)
