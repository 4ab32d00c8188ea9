"""Savings: the action inbox (rightsizing, idle, modernisation, purchases) with $ per month,
totals by team and kind, realised vs open, and the status workflow (accept, dismiss with a note,
done, reopen) written to the status log the weekly run keeps and to the audit log, in the name of
the signed-in user. An engineering user reads and decides on its own teams' opportunities only
(the team scope is part of the query, app.cockpit.savings_queries)."""

import json

import streamlit as st

from app.cockpit import charts
from app.cockpit import present as p
from app.cockpit import savings_queries as sq
from app.cockpit.common import how_to_read, marts, not_produced
from app.cockpit.queries import MartMissing
from app.cockpit.session import lake_root, require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("Savings")
how_to_read(
    "each row is one opportunity: a resource (or a commitment purchase), its team, what to do, the "
    "estimated saving per month (USD, list prices of the offline catalog), how sure we are (confidence) "
    "and the evidence (metric percentiles over 14 days, the prices and their source). Accept it, dismiss "
    "it with a note, or mark it done; the next weekly run keeps your decision, and realised savings are "
    "measured after 'done' (cost before minus cost since)."
)
m = marts()
if not m.has(sq.OPPORTUNITIES):
    not_produced(MartMissing(sq.OPPORTUNITIES, m.path(sq.OPPORTUNITIES)))
    st.stop()
rows = sq.opportunities(m, lake_root())
if m.scoped():
    st.caption(
        f"Your teams only ({', '.join(user.teams)}). Commitment purchases for the whole organization "
        "are decided by finance."
    )
cur = sq.CURRENCY
t = sq.totals(rows)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Open opportunities", sum(1 for r in rows if r["status"] == "open"))
c2.metric("Available per month", p.money(t["open"], cur))
c3.metric("Accepted per month", p.money(t["accepted"], cur))
c4.metric(
    "Realised per month (measured)",
    p.money(t["realised"], cur),
    help=f"done: {p.money(t['done'], cur)}/month estimated; measured = cost before 'done' minus cost since",
)

f1, f2, f3 = st.columns(3)
statuses = f1.multiselect("Status", list(sq.STATUSES), default=["open", "accepted"], key="s_status")
teams = f2.multiselect("Team", sorted({str(r["team_id"]) for r in rows}), key="s_team")
kinds = f3.multiselect("Kind", sorted({str(r["kind"]) for r in rows}), key="s_kind")
shown = [
    r
    for r in rows
    if r["status"] in statuses
    and (not teams or str(r["team_id"]) in teams)
    and (not kinds or str(r["kind"]) in kinds)
]
keep = ["opportunity_id", "team_id", "kind", "title", "monthly_savings", "confidence", "status",
        "resource_id", "provider", "realised_monthly_savings"]  # fmt: skip
df = p.to_frame(keep, [tuple(r.get(k) for k in keep) for r in shown])
if df.empty:
    st.info("No opportunities match these filters.")
    st.stop()
p.show_table(
    df,
    currency=cur,
    tooltips={"confidence": "0-1: how sure the estimate is (metric coverage, price match)"},
)
t1, t2 = st.columns(2)
with t1:
    st.subheader("By team")
    by_team = df.groupby("team_id", as_index=False)["monthly_savings"].sum()
    st.altair_chart(
        charts.bars(by_team, "team_id", "monthly_savings", cur, "team"), width="stretch"
    )
with t2:
    st.subheader("By kind")
    by_kind = df.groupby("kind", as_index=False)["monthly_savings"].sum()
    st.altair_chart(charts.bars(by_kind, "kind", "monthly_savings", cur, "kind"), width="stretch")

labels = {
    r[
        "opportunity_id"
    ]: f"{r['title']} · {r['team_id']} · {p.money(r['monthly_savings'], cur)}/mo · {r['status']}"
    for r in shown
}
chosen = st.selectbox("Opportunity", list(labels), format_func=lambda k: labels[k], key="s_pick")
opp = next(r for r in shown if r["opportunity_id"] == chosen)
st.write(f"**{opp['title']}** — {opp['provider']} `{opp['resource_id']}`")
st.json(json.loads(opp["evidence_json"] or "{}"))
st.write(
    f"Status: **{opp['status']}**"
    + (
        f" by {opp['status_changed_by']} — {opp['status_note']}"
        if opp.get("status_changed_by")
        else ""
    )
)
if not user.can("savings"):
    st.caption("Your role can read the savings inbox but not change it.")
    st.stop()
with st.form("savings_status"):
    action = st.radio("Change to", ["accepted", "dismissed", "done", "open"], horizontal=True)
    note = st.text_area("Note (required to dismiss: why it does not apply)")
    if st.form_submit_button(f"Save as {user.username}"):
        from app.audit import AuditError
        from app.savings_actions import decide
        from models_ml.savings.inbox import InboxError

        try:
            decide(
                lake_root(),
                str(chosen),
                action,
                user.username,
                user.role,
                note,
                known_ids={r["opportunity_id"] for r in rows},  # only what this user may read
            )
            st.success(f"{chosen}: {action} by {user.username}")
        except (InboxError, AuditError) as e:
            st.error(str(e))
