"""Admin: the audit log (every sign-in, status change, override and dispute, with who and when) and
the cockpit users (never their password hashes)."""

import streamlit as st

from app.audit import events
from app.cockpit import present as p
from app.cockpit.common import how_to_read
from app.cockpit.session import lake_root, require_user, users_file
from app.users import load

user = require_user()  # nothing is shown or read before someone signs in
st.title("Admin")
if not user.can("audit"):
    st.error("The admin page is for the admin role.")
    st.stop()
how_to_read(
    "the audit log is append-only: one file per event under <lake>/audit/events/, never edited. "
    "Users are created with `sibyl users add`."
)
st.subheader("Audit log")
action = st.selectbox(
    "Action", ["(all)", "sign-in", "acknowledge", "resolve", "reopen", "override", "dispute"]
)
evs = [e for e in events(lake_root()) if action == "(all)" or e.action == action]
log = p.to_frame(
    ["at", "actor", "role", "action", "target", "note"],
    [(p.timestamp(e.at), e.actor, e.role, e.action, e.target, e.note) for e in evs],
)
st.metric("Events", len(log))
p.show_table(log)
st.subheader("Users")
users = load(users_file())
p.show_table(
    p.to_frame(
        ["username", "name", "role", "teams"],
        [(u.username, u.name, u.role, ", ".join(u.teams) or "all") for u in users.values()],
    )
)
