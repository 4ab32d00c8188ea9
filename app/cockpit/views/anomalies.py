"""Anomalies: the inbox of cost anomaly events (from the anomaly detection mart)."""

import streamlit as st

from app.cockpit import queries as q
from app.cockpit.common import frame, how_to_read, marts, not_produced

st.title("Anomalies")
how_to_read("each row is an anomaly event: its dates, cost impact, root cause and status.")
m = marts()
try:
    cols, rows = q.table(m, "fct_cost_anomalies")
except q.MartMissing as e:
    not_produced(e)
    st.stop()
st.dataframe(frame(cols, rows), width="stretch", hide_index=True)
