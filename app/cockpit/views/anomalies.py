"""Anomalies: the inbox of cost anomaly events, each with its series and expected band, its root
cause, and the status workflow (acknowledge / resolve with a note) written to the status log the
pipeline keeps (re-detection never overwrites it)."""

import json

import altair as alt
import streamlit as st

from app.cockpit import present as p
from app.cockpit import queries as q
from app.cockpit.common import frame, how_to_read, marts, money, not_produced
from app.cockpit.session import lake_root, require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("Anomalies")
how_to_read(
    "each row is an anomaly event on daily usage cost of a team, service, account or provider: its dates, "
    "its kind (a spike, or a level shift — one event that stays ongoing, its impact growing, until the cost "
    "comes back), the team that owns the scope, its age in days, its lifecycle (open, escalated when nobody "
    "looked for a week, expired a month after it ended: both configurable), cost above expected (impact), "
    "how sure the detector is (confidence), the root cause and its status. Scheduled charges (a fee every "
    "1st of the month) are learnt as known patterns after two months. The chart shows the series with its "
    "expected band; red points are the anomalous days."
)
m = marts()


def _fresh_status() -> dict[str, tuple[str, str, str]]:
    """Status changes since the last pipeline run, from the status log in the lake."""
    from models_ml.status import current_statuses

    try:
        return current_statuses(lake_root())
    except Exception as e:  # the inbox still shows the mart's statuses
        st.warning(f"could not read the anomaly status log: {e}")
        return {}


fresh = _fresh_status()
try:
    all_cols, all_rows = q.anomaly_inbox(m, statuses=q.ANOMALY_STATUSES, fresh_status=fresh)
except q.MartMissing as e:
    not_produced(e)
    st.stop()
k = q.anomaly_kpis(all_rows, all_cols)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Open anomalies", k["open"])
c2.metric("Open cost impact", money(k["open_impact"], p.single_currency(frame(all_cols, all_rows))))
c3.metric("Acknowledged", k["acknowledged"])
c4.metric("Resolved", k["resolved"])

f1, f2 = st.columns(2)
statuses = f1.multiselect("Status", q.ANOMALY_STATUSES, default=["open", "acknowledged"])
scope = f2.selectbox("Scope", ["all", "team", "service", "account", "provider"])
cols, rows = q.anomaly_inbox(
    m, statuses=tuple(statuses), scope_type=None if scope == "all" else scope, fresh_status=fresh
)
df = frame(cols, rows)
if df.empty:
    st.info("No anomaly events match these filters.")
    st.stop()
shown = df.assign(kind=df["kind"].astype(str).str.replace("_", " "))
p.show_table(shown, hide=("root_cause_json", "series_id", "event_id", "methods"))

labels = {
    r[
        "event_id"
    ]: f"{p.day(r['start_date'])} – {p.day(r['end_date'])} · {r['scope_type']} {r['scope_value']} · "
    f"+{money(r['cost_impact'], r['billing_currency'])} · {r['status']}"
    + (" · ongoing" if r["is_ongoing"] else "")
    for _, r in df.iterrows()
}
chosen = st.selectbox("Event", list(labels), format_func=lambda k: labels[k])
ev = df[df["event_id"] == chosen].iloc[0]
st.subheader(
    f"{ev['scope_type']} {ev['scope_value']}: {money(ev['cost_impact'], ev['billing_currency'])} above expected"
)
st.write(
    f"**{str(ev['kind']).replace('_', ' ')}**{' (still going)' if ev['is_ongoing'] else ''} · owner "
    f"**{ev['owner_team_id'] or 'n/a'}** · {ev['age_days']} days old · lifecycle {ev['lifecycle_state']}"
)
st.write(
    f"**Root cause:** {ev['root_cause_path'] or 'n/a'} · baseline {ev['methods']} · confidence {ev['confidence']:.2f}"
)
scols, srows = q.anomaly_series(m, ev["series_id"], ev["start_date"], ev["end_date"])
series = frame(scols, srows)
if not series.empty:
    base = alt.Chart(series).encode(x=alt.X("ds:T", title=None, axis=alt.Axis(format="%d %b %Y")))
    st.altair_chart(
        base.mark_area(opacity=0.25).encode(
            y=alt.Y("lower:Q", title=f"daily cost ({ev['billing_currency']})"), y2="upper:Q"
        )
        + base.mark_line(strokeDash=[4, 3]).encode(y="expected:Q")
        + base.mark_line().encode(
            y="y:Q",
            tooltip=[
                "ds:T",
                alt.Tooltip("y:Q", format=",.2f"),
                alt.Tooltip("expected:Q", format=",.2f"),
            ],
        )
        + base.transform_filter("datum.is_anomaly")
        .mark_point(color="red", size=60, filled=True)
        .encode(y="y:Q"),
        width="stretch",
    )
cause = json.loads(ev["root_cause_json"] or "{}")
for dim, items in (cause.get("by_dimension") or {}).items():
    if items:
        st.caption(
            f"by {dim}: "
            + "; ".join(f"{i[dim]} +{i['delta']:,.2f}/day ({(i['share'] or 0):.0%})" for i in items)
        )

ACTIONS = {"acknowledged": "acknowledge", "resolved": "resolve", "open": "reopen"}
st.write(
    f"Status: **{ev['status']}**"
    + (f" by {ev['status_by']} — {ev['status_note']}" if ev["status_by"] else "")
)
if not (user.can("acknowledge") or user.can("resolve")):
    st.caption("Your role can read anomalies but not change their status.")
    st.stop()
with st.form("status"):
    action = st.radio("Change to", list(ACTIONS), horizontal=True)
    note = st.text_area("Note (required to resolve: what it was, what was done)")
    if st.form_submit_button(f"Save as {user.username}"):
        from app.audit import record
        from models_ml.status import StatusError, set_anomaly_status

        try:
            set_anomaly_status(
                lake_root(), str(chosen), action, user.username, note, known_ids=set(labels)
            )
        except StatusError as e:
            st.error(str(e))
        else:
            record(
                lake_root(), user.username, user.role, ACTIONS[action], f"anomaly {chosen}", note
            )
            st.success(f"{chosen}: {action} by {user.username}")
            st.rerun()
