"""Teams & showback: the BG -> BU -> team hierarchy, a team's statement (trend, services,
resources with how they were attributed, budget, anomalies, savings, dispute / retag) and the
monthly showback."""

import altair as alt
import streamlit as st

from app.cockpit import charts
from app.cockpit import periods as per
from app.cockpit import present as p
from app.cockpit import queries as q
from app.cockpit import statement as stm
from app.cockpit.common import how_to_read, marts, not_produced
from app.cockpit.session import lake_root, require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("Teams & showback")
how_to_read(
    "effective cost per team, rolled up business group -> business unit -> team: the last 30 days, and the "
    "last full month against the month before (whole months, so monthly fees are in both)."
)
m = marts()
try:
    cols, rows = q.team_hierarchy(m)
    lo, hi = q.date_range(m)
except q.MartMissing as missing:
    not_produced(missing)
    st.stop()
if not rows or hi is None:
    st.info("No team cost to show for your teams yet.")
    st.stop()
pr = per.periods_for(hi, lo)
h = p.to_frame(cols, rows)
months = per.team_full_months(m, pr)
h["last_month_cost"] = [
    float(months.get((t, c), (0, 0))[0])
    for t, c in zip(h["team_id"], h["billing_currency"], strict=True)
]
h["prev_month_cost"] = [
    float(months.get((t, c), (0, 0))[1])
    for t, c in zip(h["team_id"], h["billing_currency"], strict=True)
]
h["mom_change_pct"] = [
    p.change_pct(a, b) for a, b in zip(h["last_month_cost"], h["prev_month_cost"], strict=True)
]
h = h.drop(columns=["month_to_date_cost"], errors="ignore")
by_bg = h.groupby(["business_group_name", "billing_currency"], as_index=False)[
    ["cost_last_30d", "last_month_cost", "prev_month_cost"]
].sum()
st.subheader("By business group")
p.show_table(p.with_total_and_share(by_bg, "cost_last_30d", "business_group_name"))
st.subheader(
    f"By team — last full month {p.month(pr.last_month[0])} vs {p.month(pr.prior_month[0])}"
)
if not pr.covered(pr.prior_month):
    st.caption(f"{p.month(pr.prior_month[0])} is only partly in the data.")
p.show_table(
    p.with_total_and_share(h, "cost_last_30d", "team_name"),
    tooltips={"team_name": "the team's name; its id is in the Team id column"},
    hide=("change_30d_pct",),
)

st.header("Team statement")
names = dict(zip(h["team_id"], h["team_name"].fillna(h["team_id"]), strict=True))
team = st.selectbox("Team", list(names), format_func=lambda t: f"{names[t]} ({t})")
cur = h.loc[h["team_id"] == team, "billing_currency"].iloc[0]
t = per.period_totals(m, cur, pr, filters=(("team", (team,)),))
k1, k2, k3 = st.columns(3)
k1.metric("Last 30 days", p.money(t["last_30"], cur))
chm = p.change_pct(t["last_month"], t["prior_month"])
k2.metric(
    f"Last full month ({p.month(pr.last_month[0])})",
    p.money(t["last_month"], cur),
    p.pct(chm, signed=True) if chm is not None else None,
    delta_color="inverse",
)
k3.metric(f"Year to date ({pr.ytd[0].year})", p.money(t["ytd"], cur))

e = q.Explore(dimension="service", grain="monthly", filters=(("team", (team,)),))
tc, tr = q.explore(m, e)
trend = p.to_frame(tc, tr)
if not trend.empty:
    st.subheader("Monthly cost by service")
    st.altair_chart(
        charts.stacked_bars(trend, "period", "value", "cost", cur, "monthly", "service"),
        width="stretch",
    )
    partial = per.partial_months(lo, hi)
    if partial:
        st.caption("Partial months: " + ", ".join(p.month(d) for d in partial))
c1, c2 = st.columns(2)
with c1:
    st.subheader("Services (30 d)")
    sc, sr = q.team_breakdown(m, team, "service")
    p.show_table(p.with_total_and_share(p.to_frame(sc, sr), "cost", "value"))
with c2:
    st.subheader("How the cost reached the team (30 d)")
    try:
        ac, ar = stm.attribution_mix(m, team)
        mix = p.to_frame(ac, ar)
        p.show_table(p.with_total_and_share(mix, "cost", "attribution_method"))
    except q.MartMissing as err:
        not_produced(err)
st.subheader("Resources and their attribution (30 d)")
try:
    rc, rr = stm.resource_attribution(m, team)
    res = p.to_frame(rc, rr)
    p.show_table(
        res,
        tooltips={
            "attribution_method": "tag: the resource's team tag; service_catalog: the service's owner; "
            "account: the account's default team; unallocated: nothing matched",
            "resource_name": "the id is in the Resource id column",
        },
    )
except q.MartMissing as err:
    not_produced(err)
    res = None

st.subheader("Budget")
try:
    bcols, brows = q.budget_latest(m)
    b = p.to_frame(bcols, brows)
    b = b[(b["scope_type"] == "team") & (b["scope_value"] == team)]
    if b.empty:
        st.caption("No budget is set for this team (seeds/budgets.csv).")
    for _, row in b.iterrows():
        st.write(
            f"**{row['period']}** budget {p.money(row['budget_amount'], row['billing_currency'])}: "
            f"{p.money(row['actual_cost_to_date'], row['billing_currency'])} spent by {p.day(row['as_of_date'])} "
            f"({p.pct(row['pct_used'])}), projected {p.money(row['projected_period_end_cost'], row['billing_currency'])} "
            f"by {p.day(row['period_end'])} ({row['projection_method']}) · alert {row['alert_level']}"
        )
        vc, vr = q.budget_vs_forecast(m, str(row["budget_id"]))
        v = p.to_frame(vc, vr)
        if not v.empty:
            base = alt.Chart(v).encode(
                x=alt.X("ds:T", title=None, axis=alt.Axis(format="%d %b %Y"))
            )
            st.altair_chart(
                base.mark_line().encode(
                    y=alt.Y("actual_to_date:Q", title=f"cumulative cost ({cur})")
                )
                + base.mark_line(strokeDash=[4, 3]).encode(y="forecast_to_date:Q")
                + alt.Chart(v).mark_rule(color="red").encode(y="max(budget_amount):Q"),
                width="stretch",
            )
except q.MartMissing as err:
    not_produced(err)

st.subheader("Anomalies")
try:
    ac, ar = q.team_anomalies(m, team)
    p.show_table(p.to_frame(ac, ar), hide=("event_id", "methods", "status_note"))
except q.MartMissing as err:
    not_produced(err)

st.subheader("Savings")
if stm.savings_mart(m) is None:
    st.caption("Savings opportunities appear here once the savings pipeline publishes its mart.")
else:
    try:
        svc, svr = stm.team_savings(m, team)
        p.show_table(p.to_frame(svc, svr))
    except Exception as err:  # a new mart shape never breaks the statement
        st.caption(f"Savings mart not readable yet ({type(err).__name__}).")

st.subheader("Dispute or retag a line")
if res is not None and not res.empty and user.can("dispute"):
    with st.form("dispute"):
        rid = st.selectbox("Resource", list(res["resource_id"]), key="dispute_resource")
        to_team = st.text_input("Should belong to team (id), if another", key="dispute_team")
        why = st.text_area("Why (required)", key="dispute_note")
        if st.form_submit_button("Record the request"):
            from app.audit import AuditError, record

            if not why.strip():
                st.error("Say why: the request goes to the FinOps team with your note.")
            else:
                try:
                    ev = record(
                        lake_root(),
                        user.username,
                        user.role,
                        "dispute",
                        f"resource {rid} of team {team}" + (f" -> {to_team}" if to_team else ""),
                        why,
                    )
                except AuditError as err:
                    st.error(str(err))
                else:
                    st.success(f"Request recorded in the audit log ({ev.at[:19]} UTC).")
elif not user.can("dispute"):
    st.caption("Your role can read the statement but not dispute it.")

st.header("Monthly showback")
mc, mr = q.monthly_showback(m)
show = p.to_frame(mc, mr)
p.show_table(show)
st.download_button(
    "Download showback CSV",
    show.to_csv(index=False).encode(),
    file_name="showback.csv",
    mime="text/csv",
)
