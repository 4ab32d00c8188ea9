"""Commitments: coverage and utilization over time, unused commitment cost, the expiry calendar,
the effective savings rate (both definitions, labelled) and purchase recommendations with their
savings curve. Reads the published savings marts only."""

from pathlib import Path

import altair as alt
import streamlit as st

from app.cockpit.common import frame, how_to_read, marts, money, not_produced
from app.cockpit.queries import MartMissing
from app.savings_summary import commitments, query, rate_kpis_30d

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
mdir = marts().marts_dir
path = Path(mdir) / "fct_rate_optimization_daily.parquet"
if not path.exists():
    not_produced(MartMissing("fct_rate_optimization_daily", path))
    st.stop()

rates = rate_kpis_30d(str(mdir))
cols = st.columns(
    max(len([r for r in rates if r["service_category"] in ("Compute", "Databases")]), 1)
)
for c, r in zip(
    cols, [r for r in rates if r["service_category"] in ("Compute", "Databases")], strict=False
):
    c.metric(
        f"{r['provider']} {r['service_category']} coverage (30 d)",
        "—" if r["coverage"] is None else f"{float(r['coverage']):.1%}",
        help=f"unused commitment {money(r['unused_commitment_cost'], r['billing_currency'])}",
    )

daily = query(
    str(mdir),
    "fct_rate_optimization_daily",
    """select charge_date, provider, service_category, coverage, unused_commitment_cost, esr_list_basis,
              esr_contracted_basis from read_parquet($p) where service_category in ('Compute', 'Databases')
       order by charge_date""",
)
df = frame(list(daily[0]) if daily else [], [tuple(r.values()) for r in daily])
if not df.empty:
    df["series"] = df["provider"] + " " + df["service_category"]
    st.subheader("Coverage over time")
    st.altair_chart(
        alt.Chart(df)
        .mark_line()
        .encode(
            x=alt.X("charge_date:T", title=None),
            y=alt.Y("coverage:Q", axis=alt.Axis(format="%"), title="coverage"),
            color="series:N",
        ),
        width="stretch",
    )

util = query(
    str(mdir),
    "fct_commitment_daily",
    """select charge_date, provider || ' ' || coalesce(commitment_discount_type, '') as commitment,
              utilization, unused_commitment_cost from read_parquet($p) where utilization is not null order by charge_date""",
)
udf = frame(list(util[0]) if util else [], [tuple(r.values()) for r in util])
if not udf.empty:
    st.subheader("Utilization and unused commitment")
    st.altair_chart(
        alt.Chart(udf)
        .mark_line()
        .encode(
            x=alt.X("charge_date:T", title=None),
            y=alt.Y("mean(utilization):Q", axis=alt.Axis(format="%"), title="utilization"),
            color="commitment:N",
        ),
        width="stretch",
    )

st.subheader("Effective savings rate, last 30 days")
esr = frame(
    [
        "provider",
        "category",
        "ESR (list basis, FinOps toolkit)",
        "ESR (contracted basis, FinOps Foundation)",
        "savings",
    ],
    [
        (
            r["provider"],
            r["service_category"],
            r["esr_list_basis"],
            r["esr_contracted_basis"],
            r["total_savings"],
        )
        for r in rates
    ],
)
st.dataframe(esr, width="stretch", hide_index=True)

kpis = query(
    str(mdir),
    "fct_savings_kpis",
    "select * from read_parquet($p) order by billing_month desc, kpi_id",
)
if kpis:
    st.subheader("KPI targets")
    st.dataframe(
        frame(list(kpis[0]), [tuple(r.values()) for r in kpis]), width="stretch", hide_index=True
    )

st.subheader("Inventory and expiry calendar")
inv = commitments(str(mdir))
if inv:
    keep = ["provider", "commitment_discount_id", "commitment_discount_type", "scope", "first_seen_date",
            "last_seen_date", "expires_at", "term_days", "utilization", "unused_commitment_cost", "commitment_savings"]  # fmt: skip
    st.dataframe(
        frame(keep, [tuple(r[k] for k in keep) for r in inv]), width="stretch", hide_index=True
    )
else:
    st.info("No commitments in the charges.")

st.subheader("Purchase recommendations")
recs = query(
    str(mdir),
    "fct_purchase_recommendations",
    "select * from read_parquet($p) order by monthly_savings desc",
)
if not recs:
    st.info("No purchase recommendation yet (the weekly savings job writes them).")
for r in recs:
    st.write(
        f"**{r['provider']} {r['service_category']}**: commit {money(r['monthly_commitment'])}/month "
        f"({r['term']}, {r['payment_option']}) → saves {money(r['monthly_savings'])}/month. {r['assumptions']}"
    )
    curve = query(
        str(mdir),
        "fct_purchase_savings_curve",
        "select monthly_commitment, monthly_savings, is_recommended from read_parquet($p)"
        " where recommendation_id = $rid order by level_per_period",
        {"rid": r["recommendation_id"]},
    )
    cdf = frame(
        ["monthly_commitment", "monthly_savings", "is_recommended"],
        [tuple(c.values()) for c in curve],
    )
    if not cdf.empty:
        st.altair_chart(
            alt.Chart(cdf)
            .mark_line(point=True)
            .encode(
                x=alt.X("monthly_commitment:Q", title="commitment per month"),
                y=alt.Y("monthly_savings:Q", title="savings per month"),
                color=alt.Color("is_recommended:N", title="recommended"),
            ),
            width="stretch",
        )
