"""Forecast & budgets: forecast vs budget per scope, burn rate, exhaustion, circuit breakers."""

import streamlit as st

from app.cockpit import queries as q
from app.cockpit.common import frame, how_to_read, marts, not_produced

st.title("Forecast & budgets")
how_to_read("budget status per scope for the current period: actual to date, burn rate, projection and breaker state.")
m = marts()
for mart, title in (("fct_budget_status", "Budgets"), ("fct_cost_forecasts", "Forecasts")):
    st.header(title)
    try:
        cols, rows = q.table(m, mart)
    except q.MartMissing as e:
        not_produced(e)
        continue
    st.dataframe(frame(cols, rows), width="stretch", hide_index=True)
