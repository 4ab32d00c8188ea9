"""Cost explorer: trend and table by any dimension, with filters, cost type and grain."""

import datetime as dt

import altair as alt
import streamlit as st

from app.cockpit import queries as q
from app.cockpit.common import frame, how_to_read, marts, not_produced

st.title("Cost explorer")
how_to_read(
    "billed = what the invoice says, effective = amortized (commitments spread over usage), list = at public prices. "
    "Bars show the ten largest values of the chosen dimension (the rest as 'other'); the table lists the top 200."
)
m = marts()
try:
    lo, hi = q.date_range(m)
except q.MartMissing as missing:
    not_produced(missing)
    st.stop()

c1, c2, c3 = st.columns(3)
dimension = c1.selectbox("Group by", list(q.DIMENSIONS), index=list(q.DIMENSIONS).index("service"))
cost = c2.radio("Cost", list(q.COST_COLUMNS), index=1, horizontal=True)
grain = c3.radio("Grain", list(q.GRAINS), horizontal=True)
tag_key = "team"
if dimension == "tag value":
    keys = q.tag_keys(m) or ["team"]
    tag_key = st.selectbox("Tag key", keys)
start, end = st.slider(
    "Dates", min_value=lo, max_value=hi, value=(max(lo, hi - dt.timedelta(days=180)), hi)
)
filters = []
with st.expander("Filters"):
    cols = st.columns(3)
    for i, dim in enumerate(
        [
            "provider",
            "account",
            "service",
            "region",
            "team",
            "business unit",
            "business group",
            "environment",
        ]
    ):
        chosen = cols[i % 3].multiselect(dim.capitalize(), q.filter_values(m, dim), key=f"f_{dim}")
        if chosen:
            filters.append((dim, tuple(chosen)))

e = q.Explore(
    dimension=dimension,
    cost=cost,
    grain=grain,
    start=start,
    end=end,
    filters=tuple(filters),
    tag_key=tag_key,
)
cols_, rows = q.explore(m, e)
df = frame(cols_, rows)
tcols, trows = q.explore_totals(m, e)
totals = frame(tcols, trows)
if df.empty:
    st.warning("No cost matches these filters.")
    st.stop()
st.altair_chart(
    alt.Chart(df)
    .mark_bar()
    .encode(
        x=alt.X("period:T", title=None),
        y=alt.Y("cost:Q", title=f"{cost} cost"),
        color=alt.Color("value:N", title=dimension),
        tooltip=["period:T", "value:N", "currency:N", alt.Tooltip("cost:Q", format=",.2f")],
    ),
    width="stretch",
)
st.subheader(f"{cost.capitalize()} cost by {dimension}")
st.dataframe(
    totals,
    width="stretch",
    hide_index=True,
    column_config={"cost": st.column_config.NumberColumn(format="%.2f")},
)
st.download_button(
    "Download CSV (what is shown)",
    df.to_csv(index=False).encode(),
    file_name=f"cost_by_{dimension.replace(' ', '_')}.csv",
    mime="text/csv",
)
st.subheader("Top movers: last 30 days vs the 30 before")
if dimension != "tag value":
    mc, mr = q.top_movers(m, dimension, cost)
    st.dataframe(frame(mc, mr), width="stretch", hide_index=True)
else:
    st.caption("Top movers are shown for the other dimensions.")
