"""Teams & showback: the BG -> BU -> team hierarchy, a team's page, the monthly showback."""

import streamlit as st

from app.cockpit import queries as q
from app.cockpit.common import frame, how_to_read, marts, not_produced

st.title("Teams & showback")
how_to_read(
    "effective cost over the last 30 days per team, rolled up business group -> business unit -> team; "
    "MoM compares month to date with the same days of last month."
)
m = marts()
try:
    cols, rows = q.team_hierarchy(m)
except q.MartMissing as e:
    not_produced(e)
    st.stop()
h = frame(cols, rows)
by_bg = h.groupby(["business_group_name", "billing_currency"], as_index=False)[
    "cost_last_30d"
].sum()
st.dataframe(by_bg, width="stretch", hide_index=True)
st.dataframe(
    h,
    width="stretch",
    hide_index=True,
    column_config={
        "change_30d_pct": st.column_config.NumberColumn("30 d change %", format="%+.1f"),
        "mom_change_pct": st.column_config.NumberColumn("MoM %", format="%+.1f"),
        "cost_last_30d": st.column_config.NumberColumn("cost last 30 d", format="%.2f"),
    },
)

st.header("Team")
team = st.selectbox("Team", list(h["team_id"]))
c1, c2 = st.columns(2)
with c1:
    st.subheader("Services (30 d)")
    sc, sr = q.team_breakdown(m, team, "service")
    st.dataframe(frame(sc, sr), width="stretch", hide_index=True)
with c2:
    st.subheader("Resources (30 d)")
    rc, rr = q.team_breakdown(m, team, "resource")
    st.dataframe(frame(rc, rr), width="stretch", hide_index=True)
st.subheader("Anomalies")
try:
    ac, ar = q.team_anomalies(m, team)
    st.dataframe(frame(ac, ar), width="stretch", hide_index=True)
except q.MartMissing as e:
    not_produced(e)

st.header("Monthly showback")
mc, mr = q.monthly_showback(m)
show = frame(mc, mr)
st.dataframe(show, width="stretch", hide_index=True)
st.download_button(
    "Download showback CSV",
    show.to_csv(index=False).encode(),
    file_name="showback.csv",
    mime="text/csv",
)
