"""Tagging & compliance: coverage over time, by account and team, untagged resources by cost."""

import altair as alt
import streamlit as st

from app.cockpit import charts
from app.cockpit import present as p
from app.cockpit import queries as q
from app.cockpit.common import how_to_read, marts, not_produced
from app.cockpit.session import require_user

user = require_user()  # nothing is shown or read before someone signs in
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
cov = p.to_frame(tc, tr).melt("month", var_name="measure", value_name="pct")
cov["measure"] = cov["measure"].map(p.label)
st.altair_chart(
    alt.Chart(cov)
    .mark_line(point=True)
    .encode(
        x=charts.time_x("month", "monthly"),
        y=alt.Y("pct:Q", title="% tagged", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(range=list(charts.PALETTE[:2]))),
        tooltip=[
            alt.Tooltip("month:T", format="%b %Y"),
            "measure:N",
            alt.Tooltip("pct:Q", format=".1f"),
        ],
    ),
    width="stretch",
)
accounts = q.account_names(m)
c1, c2 = st.columns(2)
for col, by in ((c1, "account"), (c2, "team")):
    with col:
        st.subheader(f"By {by} (30 d)")
        bc, br = q.tag_coverage_by(m, by)
        t = p.to_frame(bc, br)
        if by == "account":
            t.insert(0, "sub_account_name", t["value"].map(lambda a: accounts.get(str(a), str(a))))
            t = t.rename(columns={"value": "sub_account_id"})
        else:
            t = t.rename(columns={"value": "team_id"})
        p.show_table(t, tooltips={"value": "team id"})
st.subheader("Untagged or partly tagged resources, by cost")
f1, f2 = st.columns(2)
account = f1.selectbox(
    "Account",
    ["(all)", *q.filter_values(m, "account")],
    format_func=lambda a: a if a == "(all)" else f"{accounts.get(a, a)} ({a})",
)
team = f2.selectbox("Team", ["(all)", *q.filter_values(m, "team")])
uc, ur = q.untagged_resources(
    m, None if account == "(all)" else account, None if team == "(all)" else team
)
p.show_table(p.with_total_and_share(p.to_frame(uc, ur), "cost_last_30d", "resource_id"))
