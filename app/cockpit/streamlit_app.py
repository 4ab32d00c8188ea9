"""Sibyl cockpit: `make ui` (streamlit run app/cockpit/streamlit_app.py). Reads published marts only."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for `app.` imports

st.set_page_config(page_title="Sibyl cockpit", page_icon="💸", layout="wide")
here = Path(__file__).parent / "views"
pages = [
    st.Page(here / "overview.py", title="Overview", url_path="overview", default=True),
    st.Page(here / "explorer.py", title="Cost explorer", url_path="explorer"),
    st.Page(here / "teams.py", title="Teams & showback", url_path="teams"),
    st.Page(here / "tagging.py", title="Tagging & compliance", url_path="tagging"),
    st.Page(here / "anomalies.py", title="Anomalies", url_path="anomalies"),
    st.Page(here / "forecast_budgets.py", title="Forecast & budgets", url_path="forecast"),
    st.Page(here / "iac_checks.py", title="IaC checks", url_path="iac"),
    st.Page(here / "commitments.py", title="Commitments", url_path="commitments"),
    st.Page(here / "savings.py", title="Savings", url_path="savings"),
]
st.navigation(pages).run()
