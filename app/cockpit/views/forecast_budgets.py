"""Forecast & budgets: budget status per scope (burn rate, projections, exhaustion, alert level,
circuit breaker), the current period's burn against the budget, and forecasts with intervals."""

import altair as alt
import pandas as pd
import streamlit as st

from app.cockpit import charts
from app.cockpit import present as p
from app.cockpit import queries as q
from app.cockpit.common import frame, how_to_read, marts, money, not_produced
from app.cockpit.session import lake_root, require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("Forecast & budgets")
how_to_read(
    "one row per budget for its current period: spend to date, daily burn rate, the projected period-end "
    "cost (from the forecast, else the burn rate), when the budget runs out at this pace, and the circuit "
    "breaker — open means spending in that scope should stop (`sibyl budget status` exits 1), half-open "
    "means someone overrode it until a date."
)
m = marts()
st.header("Budgets")


def _overrides() -> list:  # type: ignore[type-arg]
    """Breaker overrides from the log in the lake (they count before the next pipeline run)."""
    from models_ml.status import overrides

    try:
        return overrides(lake_root())
    except Exception as e:  # the page still shows the mart's breaker states
        st.warning(f"could not read the breaker overrides: {e}")
        return []


try:
    bcols, brows = q.budget_latest(m, _overrides())
except q.MartMissing as e:
    not_produced(e)
else:
    b = frame(bcols, brows)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Budgets", len(b))
    c2.metric("At risk (orange or red)", int(b["alert_level"].isin(["orange", "red"]).sum()))
    c3.metric("Breakers open", int((b["breaker_state"] == "open").sum()))
    c4.metric("Half-open (overridden)", int((b["breaker_state"] == "half_open").sum()))
    p.show_table(b, hide=("scope_type", "scope_value", "budget_id"))
    if b.empty:
        st.info("No budget in your scope.")
    else:
        names = {
            r[
                "budget_id"
            ]: f"{r['scope']} · {r['period']} · {r['alert_level']} · breaker {r['breaker_state']}"
            for _, r in b.iterrows()
        }
        bid = st.selectbox("Budget", list(names), format_func=lambda k: names[k])
        row = b[b["budget_id"] == bid].iloc[0]
        st.write(
            f"{money(row['actual_cost_to_date'], row['billing_currency'])} of {money(row['budget_amount'], row['billing_currency'])} "
            f"spent by {p.day(row['as_of_date'])} ({p.pct(row['pct_used'])}), burning {money(row['daily_burn_rate'], row['billing_currency'])}/day; "
            f"projected {money(row['projected_period_end_cost'], row['billing_currency'])} by {p.day(row['period_end'])} ({row['projection_method']})"
            + (
                f"; runs out on {p.day(row['projected_exhaustion_date'])}"
                if pd.notna(row["projected_exhaustion_date"])
                else "; does not run out this period"
            )
            + (f". Breaker: {row['breaker_reason']}" if row["breaker_reason"] else ".")
        )
        if row["breaker_state"] in ("open", "half_open") and user.can("override"):
            with st.form("override"):
                st.write(
                    f"Breaker **{row['breaker_state']}**: let {row['scope']} spend until a date"
                )
                until = st.date_input("Until (UTC, end of day)", value=None, key="override_until")
                why = st.text_input("Why", key="override_note")
                if st.form_submit_button(f"Override as {user.username}"):
                    import datetime as dt

                    from app.audit import record
                    from models_ml.status import StatusError, add_override

                    try:
                        if until is None:
                            raise StatusError("pick the date the override ends")
                        end = dt.datetime.combine(until, dt.time(23, 59, 59), dt.UTC)
                        add_override(lake_root(), str(row["scope"]), end, user.username, why)
                        record(
                            lake_root(),
                            user.username,
                            user.role,
                            "override",
                            str(row["scope"]),
                            f"until {end:%Y-%m-%d}; {why}",
                        )
                    except StatusError as err:
                        st.error(str(err))
                    else:
                        st.success("Override recorded; the breaker is half-open until then.")
        vcols, vrows = q.budget_vs_forecast(m, str(bid))
        v = frame(vcols, vrows)
        if not v.empty:
            st.subheader("Forecast vs budget, this period")
            base = alt.Chart(v).encode(
                x=alt.X("ds:T", title=None, axis=alt.Axis(format="%d %b %Y"))
            )
            st.altair_chart(
                base.mark_area(opacity=0.25).encode(
                    y=alt.Y(
                        "forecast_lower:Q", title=f"cumulative cost ({row['billing_currency']})"
                    ),
                    y2="forecast_upper:Q",
                )
                + base.mark_line(strokeDash=[4, 3]).encode(
                    y="forecast_to_date:Q",
                    tooltip=["ds:T", alt.Tooltip("forecast_to_date:Q", format=",.2f")],
                )
                + base.mark_line().encode(
                    y="actual_to_date:Q",
                    tooltip=["ds:T", alt.Tooltip("actual_to_date:Q", format=",.2f")],
                )
                + alt.Chart(v).mark_rule(color="red").encode(y="max(budget_amount):Q"),
                width="stretch",
            )
            st.caption(
                "solid: spent so far; dashed: spent + forecast, with the 80% band; red: the budget"
            )
        hcols, hrows = q.budget_burn(m, str(bid))
        hist = frame(hcols, hrows)
        if not hist.empty:
            long = hist.melt(
                id_vars="as_of_date",
                value_vars=["actual_cost_to_date", "projected_period_end_cost", "budget_amount"],
                var_name="measure",
                value_name="cost",
            )
            long["measure"] = long["measure"].map(p.label)
            st.subheader("How the projection moved")
            st.altair_chart(
                alt.Chart(long)
                .mark_line(point=True)
                .encode(
                    x=alt.X("as_of_date:T", title="as of", axis=alt.Axis(format="%d %b %Y")),
                    y=alt.Y("cost:Q", title=f"cost ({row['billing_currency']})"),
                    color=alt.Color(
                        "measure:N", title=None, scale=alt.Scale(range=list(charts.PALETTE[:3]))
                    ),
                    tooltip=["as_of_date:T", "measure:N", alt.Tooltip("cost:Q", format=",.2f")],
                ),
                width="stretch",
            )

st.header("Forecasts")
try:
    scopes = q.forecast_scopes(m)
except q.MartMissing as e:
    not_produced(e)
    st.stop()
if not scopes:
    st.info("No forecast in your scope yet.")
    st.stop()
default = next((i for i, s in enumerate(scopes) if s.startswith("organization:")), 0)
sid = st.selectbox("Scope", scopes, index=default)
fcols, frows = q.forecast_vs_actual(m, sid)
f = frame(fcols, frows)
model = f["model"].dropna().iloc[0] if f["model"].notna().any() else "n/a"
mase = f["backtest_mase"].dropna().iloc[0] if f["backtest_mase"].notna().any() else None
st.caption(
    f"model chosen by backtest: {model}"
    + (f" (MASE {mase:.2f}; below 1 beats repeating last week)" if mase is not None else "")
)
base = alt.Chart(f).encode(x=alt.X("ds:T", title=None, axis=alt.Axis(format="%d %b %Y")))
st.altair_chart(
    base.mark_area(opacity=0.15).encode(
        y=alt.Y("yhat_lower_95:Q", title=f"daily cost ({sid.rsplit('|', 1)[-1]})"),
        y2="yhat_upper_95:Q",
    )
    + base.mark_area(opacity=0.3).encode(y="yhat_lower:Q", y2="yhat_upper:Q")
    + base.mark_line(strokeDash=[4, 3]).encode(
        y="yhat:Q", tooltip=["ds:T", alt.Tooltip("yhat:Q", format=",.2f")]
    )
    + base.mark_line().encode(
        y="actual:Q", tooltip=["ds:T", alt.Tooltip("actual:Q", format=",.2f")]
    ),
    width="stretch",
)
future = f[f["yhat"].notna()]
fcur = sid.rsplit("|", 1)[-1]
c1, c2, c3 = st.columns(3)
for col, days in ((c1, 30), (c2, 60), (c3, 90)):
    part = future.head(days)
    col.metric(
        f"next {days} days",
        money(part["yhat"].sum(), fcur),
        help=f"80% interval {money(part['yhat_lower'].sum(), fcur)} – {money(part['yhat_upper'].sum(), fcur)} (sum of daily bounds)",
    )
