"""Tagging & compliance: coverage over time, by account and team, untagged resources by cost."""

import altair as alt
import streamlit as st

from app.cockpit import queries as q
from app.cockpit.common import frame, how_to_read, marts, not_produced

st.title("Tagging & compliance")
how_to_read(
    "a resource is compliant when it carries every required tag (seeds/required_tags); coverage by cost "
    "weighs each resource by what it cost."
)
m = marts()
try:
    tc, tr = q.tag_coverage_by_month(m)
except q.MartMissing as e:
    not_produced(e)
    st.stop()
cov = frame(tc, tr).melt("month", var_name="measure", value_name="pct")
st.altair_chart(
    alt.Chart(cov)
    .mark_line(point=True)
    .encode(
        x=alt.X("month:T", title=None),
        y=alt.Y("pct:Q", title="% tagged", scale=alt.Scale(domain=[0, 100])),
        color="measure:N",
        tooltip=["month:T", "measure:N", alt.Tooltip("pct:Q", format=".1f")],
    ),
    width="stretch",
)
c1, c2 = st.columns(2)
for col, by in ((c1, "account"), (c2, "team")):
    with col:
        st.subheader(f"By {by} (30 d)")
        bc, br = q.tag_coverage_by(m, by)
        st.dataframe(frame(bc, br), width="stretch", hide_index=True)
st.subheader("Untagged or partly tagged resources, by cost")
f1, f2 = st.columns(2)
account = f1.selectbox("Account", ["(all)", *q.filter_values(m, "account")])
team = f2.selectbox("Team", ["(all)", *q.filter_values(m, "team")])
uc, ur = q.untagged_resources(
    m, None if account == "(all)" else account, None if team == "(all)" else team
)
st.dataframe(frame(uc, ur), width="stretch", hide_index=True)
