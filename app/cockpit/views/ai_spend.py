"""AI spend: LLM API cost by provider, model, team and agent over time, tokens and cost per 1k
tokens, cache savings, the most expensive sessions and agents, and budget / breaker state per
scope (the same state `sibyl budget check` answers from)."""

import streamlit as st

from app.cockpit import ai_queries as aq
from app.cockpit import charts
from app.cockpit import present as p
from app.cockpit import queries as q
from app.cockpit.common import how_to_read, marts, not_produced
from app.cockpit.session import require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("AI spend")
how_to_read(
    "direct API spend (OpenAI, Anthropic: the providers' cost reports, else their usage priced from "
    "the token price table) plus the AI lines of the cloud bills (Bedrock, Azure OpenAI, Vertex AI). "
    "Agents and sessions come from the gateway logs and OTLP spans, which see the same calls."
)
m = marts()
try:
    dimension = st.radio("Spend by", list(aq.DAILY_DIMENSIONS), horizontal=True)
    cols, rows = aq.spend_over_time(m, dimension)
except q.MartMissing as missing:
    not_produced(missing)
    st.stop()
daily = p.to_frame(cols, rows)
if daily.empty:
    st.info("No AI spend to show for your teams yet.")
    st.stop()
cur = p.single_currency(daily)
k1, k2, k3 = st.columns(3)
k1.metric("AI spend in the data", p.money(daily["cost"].sum(), cur))
last = daily["period"].max()
k2.metric(f"On {p.day(last)}", p.money(daily.loc[daily["period"] == last, "cost"].sum(), cur))
st.altair_chart(
    charts.stacked_bars(daily, "period", "series", "cost", cur, "daily", dimension),
    width="stretch",
)

st.subheader("Models: tokens, cost per 1k tokens, cache savings")
mc, mr = aq.models_table(m)
models = p.to_frame(mc, mr)
k3.metric("Saved by prompt caching", p.money(models["cache_savings"].fillna(0).sum(), cur))
p.show_table(
    models,
    currency=cur,
    tooltips={
        "cache_savings": "cached input tokens at the input price minus at the cache-read price",
        "billed_via": "api: billed by the AI provider; cloud_bill: a line of the cloud invoice",
    },
)

agents = None
try:
    ac, ar = aq.agents_over_time(m)
    agents = p.to_frame(ac, ar)
    if not agents.empty:
        st.subheader("Agents over time")
        st.altair_chart(
            charts.stacked_bars(agents, "period", "series", "cost", cur, "daily", "agent"),
            width="stretch",
        )
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Most expensive agents")
        tc, tr = aq.top_agents(m)
        p.show_table(p.to_frame(tc, tr), currency=cur)
    with c2:
        st.subheader("Most expensive sessions")
        sc, sr = aq.top_sessions(m)
        p.show_table(p.to_frame(sc, sr), currency=cur)
except q.MartMissing as missing:
    not_produced(missing)

st.subheader("Budgets and breakers")
visible = (
    None if user.team_scope is None else set(agents["series"]) if agents is not None else set()
)
state = aq.budget_state(m, visible)
if not state:
    st.info("No AI budgets published (ai_budgets.csv in the configuration folder).")
else:
    table = p.to_frame(
        [
            "scope",
            "period",
            "spent",
            "amount",
            "pct_used",
            "alert_tier",
            "breaker_state",
            "breaker_reason",
            "override_until",
        ],
        [
            (
                r["scope"],
                r["period"],
                float(r["spent"]),
                float(r["amount"]),
                r["pct_used"],
                r["alert_tier"],
                r["breaker_state"],
                r["breaker_reason"],
                r["override_until"],
            )
            for r in state
        ],
    )
    opened = table[table["breaker_state"] == "open"]
    if not opened.empty:
        st.error("Breaker open: " + ", ".join(opened["scope"]))
    p.show_table(
        table,
        currency=cur,
        tooltips={
            "alert_tier": "the highest of the 50/75/85/95% tiers crossed",
            "breaker_state": "open: agents asking `sibyl budget check` are refused; half_open: "
            "a human override lets spending go on until it expires",
        },
    )
    st.caption(
        "Agents ask before a request: `sibyl budget check --scope agent:NAME --estimate-cost 0.50` "
        "(exit 0 allowed, 1 blocked, JSON out)."
    )

if user.team_scope is None:
    st.subheader("Priced usage vs the providers' cost reports")
    try:
        rc, rr = aq.reconciliation(m)
        p.show_table(
            p.to_frame(rc, rr),
            currency=cur,
            tooltips={
                "difference": "cost report minus usage at list price: cache discounts, tiers, "
                "negotiated prices, or an error on either side"
            },
        )
    except q.MartMissing as missing:
        not_produced(missing)
