"""Sibyl cockpit: `make ui` (streamlit run app/cockpit/streamlit_app.py). Reads published marts only."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for `app.` imports

from app.cockpit.session import keep_cookie, require_user, sign_out  # noqa: E402

st.set_page_config(page_title="Sibyl cockpit", page_icon="💸", layout="wide")
user = require_user()
here = Path(__file__).parent / "views"
pages = [
    st.Page(here / "overview.py", title="Overview", url_path="overview"),
    st.Page(here / "explorer.py", title="Cost explorer", url_path="explorer"),
    st.Page(here / "teams.py", title="Teams & showback", url_path="teams"),
    st.Page(here / "tagging.py", title="Tagging & compliance", url_path="tagging"),
    st.Page(here / "anomalies.py", title="Anomalies", url_path="anomalies"),
    st.Page(here / "forecast_budgets.py", title="Forecast & budgets", url_path="forecast"),
    st.Page(here / "ai_spend.py", title="AI spend", url_path="ai"),
    st.Page(here / "iac_checks.py", title="IaC checks", url_path="iac"),
    st.Page(here / "data_health.py", title="Data health", url_path="health"),
    st.Page(here / "commitments.py", title="Commitments", url_path="commitments"),
    st.Page(here / "savings.py", title="Savings", url_path="savings"),
]
if user.can("audit"):
    pages.append(st.Page(here / "admin.py", title="Admin", url_path="admin"))


def _home() -> None:
    """'/' opens the overview at its own URL (/overview), so every page has a working address."""
    st.switch_page(pages[0])


# Navigation is drawn here (page links) so that the default page can be a redirect: Streamlit serves
# the default page at '/' only, and /overview would otherwise answer "Page not found".
nav = st.navigation([st.Page(_home, title="Sibyl", default=True), *pages], position="hidden")
with st.sidebar:
    for pg in pages:
        st.page_link(pg)
    scope = ", ".join(user.teams) if user.team_scope is not None else "all teams"
    st.caption(f"Signed in as **{user.name or user.username}** · {user.role} · {scope}")
    keep_cookie()
    if st.button("Sign out", key="sign_out"):
        sign_out()
        st.rerun()
nav.run()
