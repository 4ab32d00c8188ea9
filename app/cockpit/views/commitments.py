"""Commitments: coverage and utilization over time, unused commitment cost, the expiry calendar,
the effective savings rate (both definitions, labelled) and purchase recommendations with their
savings curve. Commitments are bought for the whole organization: like reconciliation, the page is
for roles that read every team (finance, executive, admin); a team-scoped user is told so and
reads nothing (the scope predicate of these marts is `false`, app.cockpit.savings_queries)."""

import altair as alt
import streamlit as st

from app.cockpit import charts
from app.cockpit import present as p
from app.cockpit import savings_queries as sq
from app.cockpit.common import how_to_read, marts, not_produced
from app.cockpit.queries import MartMissing
from app.cockpit.session import require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("Commitments")
how_to_read(
    "coverage is the share of eligible on-demand-equivalent cost (Standard-priced usage plus usage a "
    "commitment covered) that reservations, savings plans and committed-use discounts covered; utilization "
    "is the share of what you committed that was used; unused commitment is money paid for nothing. The "
    "effective savings rate (ESR) has two definitions in use: list basis = (list − effective) ÷ list "
    "(Microsoft FinOps toolkit), contracted basis = (contracted − effective) ÷ contracted (FinOps "
    "Foundation) — compare like with like. KPI targets (e.g. compute on-demand ≤ 30%) come from the seed "
    "savings_kpi_targets."
)
m = marts()
if not sq.org_level_visible(m):
    st.info(
        "Commitments are bought for the whole organization, so this page is for roles that read every "
        "team (finance, executive, admin). Your teams' savings opportunities are on the Savings page."
    )
    st.stop()
try:
    rates = sq.rate_kpis_30d(m)
except MartMissing as e:
    not_produced(e)
    st.stop()

headline = [r for r in rates if r["service_category"] in sq.CATEGORIES]
st.subheader("Coverage, last 30 days")
for c, r in zip(st.columns(max(len(headline), 1)), headline, strict=False):
    c.metric(
        f"{r['provider']} {r['service_category']}",
        "—" if r["coverage"] is None else p.pct(float(r["coverage"]) * 100),
        help=f"unused commitment {p.money(r['unused_commitment_cost'], r['billing_currency'])}",
    )

cov = p.to_frame(*sq.coverage_daily(m))
if not cov.empty:
    st.subheader("Coverage over time")
    st.altair_chart(
        charts.pct_lines(cov, "charge_date", "series", "coverage_pct", "coverage"), width="stretch"
    )

try:
    util = p.to_frame(*sq.utilization_daily(m))
except MartMissing as e:
    not_produced(e)
    util = p.to_frame([], [])
if not util.empty:
    st.subheader("Utilization and unused commitment")
    st.altair_chart(
        charts.pct_lines(util, "charge_date", "series", "utilization_pct", "utilization"),
        width="stretch",
    )

st.subheader("Effective savings rate, last 30 days")
esr = p.to_frame(
    ["provider", "service_category", "billing_currency", "esr_list_basis_pct",
     "esr_contracted_basis_pct", "unused_commitment_cost", "total_savings"],
    [(r["provider"], r["service_category"], r["billing_currency"],
      None if r["esr_list_basis"] is None else float(r["esr_list_basis"]) * 100,
      None if r["esr_contracted_basis"] is None else float(r["esr_contracted_basis"]) * 100,
      r["unused_commitment_cost"], r["total_savings"]) for r in rates],
)  # fmt: skip
p.show_table(esr)

try:
    kc, kr = sq.savings_kpis(m)
    if kr:
        st.subheader("KPI targets")
        p.show_table(p.to_frame(kc, kr))
except MartMissing as e:
    not_produced(e)

st.subheader("Inventory and expiry calendar")
try:
    inv = p.to_frame(*sq.commitment_inventory(m))
    if inv.empty:
        st.info("No commitments in the charges.")
    else:
        p.show_table(inv, tooltips={"expires_at": "the end of the term, when the export says it"})
except MartMissing as e:
    not_produced(e)

st.subheader("Purchase recommendations")
try:
    recs = sq.purchase_recommendations(m)
except MartMissing as e:
    not_produced(e)
    recs = []
if not recs:
    st.info("No purchase recommendation yet (the weekly savings job writes them).")
for r in recs:
    st.write(
        f"**{r['provider']} {r['service_category']}**: commit {p.money(r['monthly_commitment'])}/month "
        f"({r['term']}, {r['payment_option']}) → saves {p.money(r['monthly_savings'])}/month. {r['assumptions']}"
    )
    try:
        cdf = p.to_frame(*sq.savings_curve(m, str(r["recommendation_id"])))
    except MartMissing:
        continue
    if not cdf.empty:
        st.altair_chart(
            alt.Chart(cdf)
            .mark_line(point=True)
            .encode(
                x=alt.X("monthly_commitment:Q", title="commitment per month (USD)",
                        axis=alt.Axis(format="$,.0f")),
                y=alt.Y("monthly_savings:Q", title="savings per month (USD)",
                        axis=alt.Axis(format="$,.0f")),
                color=alt.Color("is_recommended:N", title="recommended"),
                tooltip=[alt.Tooltip("monthly_commitment:Q", format="$,.2f"),
                         alt.Tooltip("monthly_savings:Q", format="$,.2f")],
            ),
            width="stretch",
        )  # fmt: skip
