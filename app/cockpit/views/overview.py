"""Overview: the KPI header, data freshness and the daily trend by provider."""

import altair as alt
import streamlit as st

from app.cockpit import queries as q
from app.cockpit.common import frame, how_to_read, marts, money, not_produced, pct

st.title("Overview")
how_to_read(
    "effective (amortized) cost in the main billing currency; month to date is compared with the same days of last month."
)
m = marts()
try:
    k = q.kpis(m)
except q.MartMissing as e:
    not_produced(e)
    st.stop()

change = (
    (float(k.mtd_cost - k.prev_mtd_cost) * 100 / float(k.prev_mtd_cost))
    if k.prev_mtd_cost
    else None
)
c1, c2, c3 = st.columns(3)
c1.metric(
    "Month to date",
    money(k.mtd_cost, k.currency),
    pct(change, signed=True) if change is not None else None,
    delta_color="inverse",
    help=f"vs {money(k.prev_mtd_cost, k.currency)} at the same point last month",
)
if k.forecast_month_end is not None:
    c2.metric(
        "Forecast to month end",
        money(k.forecast_month_end, k.currency),
        f"budget {money(k.budget_month, k.currency)}",
        delta_color="off",
    )
else:
    c2.metric("Forecast to month end", "—", "no budget/forecast mart yet", delta_color="off")
c3.metric("Allocated to a team (30 d)", pct(k.allocated_pct))
c4, c5, _ = st.columns(3)
c4.metric("Tag compliance (30 d)", pct(k.compliance_pct))
c5.metric("Open anomalies", "—" if k.open_anomalies is None else str(k.open_anomalies))

fresh = q.freshness(m)
run = q.last_run(m)
st.caption(
    "Data freshness: "
    + " · ".join(f"{p} through {d}" for p, d in fresh)
    + (f" · marts published {run:%Y-%m-%d %H:%M} UTC" if run else "")
)

df = frame(["date", "provider", "cost"], q.daily_by_provider(m, k.currency, days=90))
st.subheader("Daily cost by provider, last 90 days")
st.altair_chart(
    alt.Chart(df)
    .mark_area()
    .encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("cost:Q", title=f"effective cost ({k.currency})", stack=True),
        color=alt.Color("provider:N"),
        tooltip=["date:T", "provider:N", alt.Tooltip("cost:Q", format=",.2f")],
    ),
    width="stretch",
)

from app.savings_summary import savings_totals  # noqa: E402
from orchestration.settings import Settings  # noqa: E402

totals = savings_totals(Settings.from_env())
if totals is not None:  # the Savings page has the inbox
    s1, s2 = st.columns(2)
    s1.metric("Savings available (open, per month)", money(totals["open"]))
    s2.metric("Savings realised (measured, per month)", money(totals["realised"]))
