"""Who is using the cockpit: sign-in (Streamlit OIDC when configured, else the local users file),
a session cookie signed with joserfc (HS256, 8 hours) so a reload keeps the user signed in, and the
audit event of every sign-in. Pages call ``require_user`` (through ``common.marts``): nothing is
read before someone is signed in, and what they read is scoped to their teams."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from pathlib import Path

import streamlit as st

from app.users import User, authenticate, by_email, load

COOKIE = "sibyl_session"
SESSION_SECONDS = 8 * 3600


def _settings():  # type: ignore[no-untyped-def]
    from orchestration.settings import Settings

    return Settings.from_env()


def users_file() -> str:
    """SIBYL_USERS_FILE, else <SIBYL_DATA_DIR>/users.json."""
    return os.environ.get("SIBYL_USERS_FILE") or str(Path(_settings().data_dir) / "users.json")


def lake_root() -> str:
    return os.environ.get("SIBYL_LAKE_ROOT") or _settings().lake_root


def _secret() -> bytes:
    """The cookie signing key: SIBYL_COCKPIT_SECRET, else a random key kept (0600) beside the users file."""
    env = os.environ.get("SIBYL_COCKPIT_SECRET")
    if env:
        if len(env) < 32:
            raise ValueError("SIBYL_COCKPIT_SECRET must be at least 32 characters")
        return env.encode()
    p = Path(users_file()).with_name(".cockpit_secret")
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return p.read_text().strip().encode()


def sign(username: str, now: float | None = None) -> str:
    from joserfc import jwt
    from joserfc.jwk import OctKey

    t = int(now or time.time())
    claims = {"sub": username, "iat": t, "exp": t + SESSION_SECONDS}
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(_secret()))


def verify(token: str, now: float | None = None) -> str | None:
    """The username of a valid, unexpired token, else None."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import OctKey

    if not token or len(token) > 4096:
        return None
    try:
        tok = jwt.decode(token, OctKey.import_key(_secret()), algorithms=["HS256"])
        jwt.JWTClaimsRegistry(
            now=int(now or time.time()), exp={"essential": True}, sub={"essential": True}
        ).validate(tok.claims)
    except (JoseError, ValueError):
        return None
    sub = tok.claims.get("sub")
    return str(sub) if sub else None


def _set_cookie(value: str, max_age: int) -> None:
    import streamlit.components.v1 as components

    # the token is base64url text; json.dumps makes it a JS string literal
    cookie = json.dumps(f"{COOKIE}={value}; path=/; max-age={max_age}; SameSite=Strict")
    components.html(f"<script>parent.document.cookie = {cookie};</script>", height=0)


def _audit_sign_in(u: User, how: str) -> None:
    from app.audit import record

    try:
        record(lake_root(), u.username, u.role, "sign-in", "cockpit", how)
    except Exception as e:  # signing in never fails because the log is unwritable; it is shown
        st.warning(f"could not write the audit log: {type(e).__name__}")


def current_user() -> User | None:
    u = st.session_state.get("user")
    return u if isinstance(u, User) else None


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def require_user() -> User:
    """The signed-in user, else the sign-in form (and the page stops)."""
    u = current_user()
    if u is not None:
        return u
    path = users_file()
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        mapped = by_email(path, str(st.user.get("email", "")))
        if mapped is None:
            st.error("You are signed in, but no cockpit role is set for your e-mail. Ask an admin.")
            st.stop()
        st.session_state["user"] = mapped
        _audit_sign_in(mapped, "oidc")
        return mapped
    name = verify(st.context.cookies.get(COOKIE, "") or "")
    if name:
        known = load(path).get(name)
        if known is not None:
            st.session_state["user"] = known
            return known
    _sign_in_form(path)
    st.stop()
    raise AssertionError("unreachable")


def _sign_in_form(path: str) -> None:
    st.title("Sign in to Sibyl")
    if oidc_configured():
        st.button("Sign in with single sign-on", on_click=st.login, key="oidc_login")
    if not Path(path).exists():
        st.info(
            "No cockpit users yet. Create one with `sibyl users add NAME --role admin` "
            "(`make demo` creates demo users and prints them)."
        )
    with st.form("sign_in"):
        username = st.text_input("User name", key="login_user")
        password = st.text_input("Password", type="password", key="login_password")
        if st.form_submit_button("Sign in"):
            u = authenticate(path, username, password)
            if u is None:
                st.error("Unknown user or wrong password.")
                return
            st.session_state["user"] = u
            st.session_state["_session_token"] = sign(u.username)
            _audit_sign_in(u, "password")
            st.rerun()


def keep_cookie() -> None:
    """Write the session cookie of a password sign-in into the browser (from the main script, on
    every run: a component rendered just before a rerun would never reach the browser)."""
    token = st.session_state.get("_session_token")
    if token:
        _set_cookie(str(token), SESSION_SECONDS)


def sign_out() -> None:
    u = current_user()
    if u is not None:
        from app.audit import record

        with contextlib.suppress(Exception):  # signing out never fails on the log
            record(lake_root(), u.username, u.role, "sign-out", "cockpit")
    st.session_state.pop("user", None)
    st.session_state.pop("_session_token", None)
    _set_cookie("", 0)
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()
