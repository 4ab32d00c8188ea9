"""`sibyl users add|list|remove`: the cockpit's local users file (argon2-hashed passwords)."""

from __future__ import annotations

import argparse
import getpass
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    u = sub.add_parser("users", help="cockpit users: add, list, remove (local users file)")
    usub = u.add_subparsers(dest="action", required=True)
    ua = usub.add_parser("add", help="add or replace a user")
    ua.add_argument("username")
    ua.add_argument(
        "--role", required=True, choices=["finance", "engineering", "executive", "admin"]
    )
    ua.add_argument("--teams", default="", help="comma-separated team ids (engineering users)")
    ua.add_argument("--name", default="")
    ua.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (else prompt)"
    )
    ua.add_argument("--oidc-only", action="store_true", help="no password: signs in with OIDC")
    usub.add_parser("list", help="list users (never their hashes)")
    ur = usub.add_parser("remove")
    ur.add_argument("username")
    u.set_defaults(func=cmd_users)


def users_file() -> str:
    import os
    from pathlib import Path

    from orchestration.settings import Settings

    return os.environ.get("SIBYL_USERS_FILE") or str(
        Path(Settings.from_env().data_dir) / "users.json"
    )


def cmd_users(args: argparse.Namespace) -> int:
    from app.audit import record
    from app.users import UserError, add_user, load, remove_user
    from orchestration.settings import Settings

    path = users_file()
    try:
        if args.action == "list":
            for u in load(path).values():
                print(f"{u.username:24} {u.role:12} {', '.join(u.teams) or 'all teams'}")
            return 0
        if args.action == "remove":
            ok = remove_user(path, args.username)
            print("removed" if ok else f"no user {args.username!r}")
            return 0 if ok else 1
        password = None
        if not args.oidc_only:
            password = (
                sys.stdin.readline().rstrip("\n")
                if args.password_stdin
                else getpass.getpass(f"password for {args.username}: ")
            )
        teams = tuple(t.strip() for t in args.teams.split(",") if t.strip())
        u = add_user(path, args.username, password, args.role, teams, args.name)
    except UserError as e:
        print(f"sibyl users: {e}", file=sys.stderr)
        return 2
    record(
        Settings.from_env().lake_root,
        getpass.getuser(),
        "cli",
        "users",
        f"add {u.username} as {u.role}",
    )
    print(f"user {u.username} ({u.role}, {', '.join(u.teams) or 'all teams'}) written to {path}")
    return 0
