"""Overview: the KPI header over honest periods, data freshness and the daily trend by provider."""

import streamlit as st

from app.cockpit import charts
from app.cockpit import periods as per
from app.cockpit import present as p
from app.cockpit import queries as q
from app.cockpit.common import how_to_read, marts, not_produced
from app.cockpit.session import require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("Overview")
how_to_read(
    "effective (amortized) cost in the main billing currency. Last 30 days is compared with the 30 days "
    "before; the last full month with the month before (whole calendar months, so a monthly fee is in "
    "both); year to date runs from 1 January to the last day of data."
)
m = marts()
try:
    k = q.kpis(m)
except q.MartMissing as e:
    not_produced(e)
    st.stop()
cur = k.currency
pr = per.data_periods(m, cur)
if pr is None:
    st.info("No cost in the marts for your teams yet.")
    st.stop()
t = per.period_totals(m, cur, pr)


def _range(r: tuple) -> str:  # type: ignore[type-arg]
    return f"{p.day(r[0])} – {p.day(r[1])}"


c1, c2, c3 = st.columns(3)
ch30 = p.change_pct(t["last_30"], t["prior_30"])
c1.metric(
    "Last 30 days",
    p.money(t["last_30"], cur),
    p.pct(ch30, signed=True) if ch30 is not None and pr.covered(pr.prior_30) else None,
    delta_color="inverse",
    help=f"{_range(pr.last_30)} vs {p.money(t['prior_30'], cur)} in {_range(pr.prior_30)}",
)
full = pr.covered(pr.last_month)
chm = p.change_pct(t["last_month"], t["prior_month"]) if pr.covered(pr.prior_month) else None
c2.metric(
    f"Last full month ({p.month(pr.last_month[0])})",
    p.money(t["last_month"], cur) if full else "—",
    p.pct(chm, signed=True) if chm is not None and full else None,
    delta_color="inverse",
    help=f"vs {p.money(t['prior_month'], cur)} in {p.month(pr.prior_month[0])}"
    + ("" if pr.covered(pr.prior_month) else " (partial month: the data starts later)"),
)
c3.metric(
    f"Year to date ({pr.ytd[0].year})",
    p.money(t["ytd"], cur),
    help=f"{_range(pr.ytd)}"
    + ("" if pr.covered(pr.ytd) else f"; the data starts on {p.day(pr.first_data)}"),
)
c4, c5, c6, c7 = st.columns(4)
c4.metric(
    f"Month to date ({pr.mtd_days} day{'s' if pr.mtd_days != 1 else ''})",
    p.money(t["mtd"], cur),
    help=f"{_range(pr.mtd)}",
)
if k.forecast_month_end is not None:
    c5.metric(
        "Forecast to month end",
        p.money(k.forecast_month_end, cur),
        f"budget {p.money(k.budget_month, cur)}",
        delta_color="off",
    )
else:
    c5.metric("Forecast to month end", "—", "no budget/forecast mart yet", delta_color="off")
c6.metric("Allocated to a team (30 d)", p.pct(k.allocated_pct))
c7.metric("Tag compliance (30 d)", p.pct(k.compliance_pct))
if pr.mtd_is_short:
    st.warning(
        f"Month to date covers only {pr.mtd_days} day(s) of {p.month(pr.mtd[0])}: monthly fees charged on "
        "the 1st make it incomparable with any other month. Use the last full month."
    )
st.metric("Open anomalies", "—" if k.open_anomalies is None else str(k.open_anomalies))

fresh = q.freshness(m)
run = q.last_run(m)
st.caption(
    "Data freshness: "
    + " · ".join(f"{prov} through {p.day(d)}" for prov, d in fresh)
    + (f" · marts published {run:%d %b %Y %H:%M} UTC" if run else "")
)
partial = per.partial_months(pr.first_data, pr.as_of)
if partial:
    st.caption("Partial months in the data: " + ", ".join(p.month(d) for d in partial))

st.subheader("Daily cost by provider, last 90 days")
spread = st.toggle(
    "Spread monthly fees over their month",
    value=True,
    key="spread_fees",
    help="A fee charged once a month on the 1st (a support plan, a subscription) is shown as an even "
    "daily level across its month instead of a spike; each month's total is unchanged.",
)
df = p.to_frame(
    ["date", "provider", "cost"],
    q.daily_by_provider(m, cur, days=90, spread_monthly_fees=spread),
)
if not df.empty:
    st.altair_chart(
        charts.stacked_area(df, "date", "provider", "cost", cur, "provider"), width="stretch"
    )
    st.caption(
        "Monthly fees are spread over their month (each month's total is unchanged)."
        if spread
        else "Spikes on the 1st of a month are monthly fees charged once for the whole month."
    )
