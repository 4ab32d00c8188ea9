"""Cost explorer: trend and table by any dimension, with filters, cost type and grain."""

import datetime as dt

import streamlit as st

from app.cockpit import charts
from app.cockpit import periods as per
from app.cockpit import present as p
from app.cockpit import queries as q
from app.cockpit.common import how_to_read, marts, not_produced
from app.cockpit.session import require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("Cost explorer")
how_to_read(
    "billed = what the invoice says, effective = amortized (commitments spread over usage), list = at public prices. "
    "Bars show the ten largest values of the chosen dimension (the rest as 'other'); the table lists the top 200 "
    "with their share of the total. Top movers compare the last full month with the one before, within the filters."
)
m = marts()
try:
    lo, hi = q.date_range(m)
except q.MartMissing as missing:
    not_produced(missing)
    st.stop()
if hi is None:
    st.info("No cost in the marts for your teams yet.")
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
    "Dates",
    min_value=lo,
    max_value=hi,
    value=(max(lo, hi - dt.timedelta(days=180)), hi),
    format="DD MMM YYYY",
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
df = p.to_frame(cols_, rows)
tcols, trows = q.explore_totals(m, e)
totals = p.to_frame(tcols, trows)
if df.empty:
    st.warning("No cost matches these filters.")
    st.stop()
if dimension == "account":  # names where dim_accounts has them; the id stays in the table
    names = q.account_names(m)
    df["value"] = df["value"].map(lambda a: f"{names[a]} ({a})" if a in names else a)
    totals.insert(0, "sub_account_name", totals["value"].map(lambda a: names.get(str(a), "")))
currency = p.single_currency(df)
if currency is None:
    st.warning(
        "These rows mix currencies: the chart adds them; filter by account or provider to separate them."
    )
partial = [d for d in per.partial_months(lo, hi) if grain == "monthly" and start <= d <= end]
st.altair_chart(
    charts.stacked_bars(df, "period", "value", "cost", currency, grain, dimension), width="stretch"
)
if partial:
    st.caption(
        "Partial months (not a full month of data): " + ", ".join(p.month(d) for d in partial)
    )
st.subheader(f"{cost.capitalize()} cost by {dimension}, {p.day(start)} – {p.day(end)}")
p.show_table(p.with_total_and_share(totals, "cost", "value"), currency=currency)
st.download_button(
    "Download CSV (what is shown)",
    df.to_csv(index=False).encode(),
    file_name=f"cost_by_{dimension.replace(' ', '_')}.csv",
    mime="text/csv",
)
pr = per.periods_for(hi, lo)
st.subheader(
    f"Top movers: {p.month(pr.last_month[0])} vs {p.month(pr.prior_month[0])} (full months)"
)
if not pr.covered(pr.prior_month):
    st.caption(
        f"{p.month(pr.prior_month[0])} is only partly in the data: the change is overstated."
    )
mc, mr = per.full_month_movers(m, e, pr)
p.show_table(p.to_frame(mc, mr), currency=currency)
