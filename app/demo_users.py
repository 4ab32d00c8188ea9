"""The demo's cockpit users, one per role, created by `make demo` and printed with their passwords
(demo data only: real deployments create users with `sibyl users add` or sign in with OIDC)."""

from __future__ import annotations

from pathlib import Path

from app.users import add_user, load

DEMO_USERS = (
    # username, password, role, teams, name
    ("finance", "finance-demo", "finance", (), "Fran Finance"),
    ("payments-lead", "payments-demo", "engineering", ("payments", "checkout"), "Pat Payments"),
    ("cfo", "executive-demo", "executive", (), "Casey CFO"),
    ("admin", "admin-demo-pw", "admin", (), "Ada Admin"),
)


def ensure_demo_users(users_file: str) -> list[tuple[str, str, str, str]]:
    """Create the demo users that do not exist yet (existing ones keep their passwords); returns
    (username, password or '(unchanged)', role, teams) for printing."""
    existing = load(users_file) if Path(users_file).exists() else {}
    out = []
    for username, password, role, teams, name in DEMO_USERS:
        if username in existing:
            out.append((username, "(unchanged)", role, ", ".join(teams) or "all teams"))
            continue
        add_user(users_file, username, password, role, teams, name)
        out.append((username, password, role, ", ".join(teams) or "all teams"))
    return out
