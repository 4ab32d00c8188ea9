"""Savings: the action inbox (rightsizing, idle, modernisation, purchases) with $ per month,
totals by team and kind, realised vs open, and the status workflow (accept, dismiss with a note,
done) written to the status log the weekly run keeps."""

import json
from decimal import Decimal
from pathlib import Path

import streamlit as st

from app.cockpit.common import frame, how_to_read, marts, money, not_produced
from app.cockpit.queries import MartMissing

st.title("Savings")
how_to_read(
    "each row is one opportunity: a resource (or a commitment purchase), its team, what to do, the "
    "estimated saving per month, how sure we are (confidence) and the evidence (metric percentiles over "
    "14 days, list prices from the offline catalog and their source). Accept it, dismiss it with a note, "
    "or mark it done; the next weekly run keeps your decision."
)
mdir = marts().marts_dir
path = Path(mdir) / "fct_savings_opportunities.parquet"
if not path.exists():
    not_produced(MartMissing("fct_savings_opportunities", path))
    st.stop()

from app.savings_cli import opportunity_rows  # noqa: E402
from orchestration.settings import Settings  # noqa: E402

settings = Settings.from_env()
rows = opportunity_rows(settings)
by_status: dict[str, Decimal] = {}
for r in rows:
    by_status[r["status"]] = by_status.get(r["status"], Decimal(0)) + Decimal(
        str(r["monthly_savings"])
    )
c1, c2, c3, c4 = st.columns(4)
c1.metric("Open opportunities", sum(1 for r in rows if r["status"] == "open"))
c2.metric("Available per month", money(by_status.get("open", Decimal(0))))
c3.metric("Accepted per month", money(by_status.get("accepted", Decimal(0))))
realised = sum(
    (
        Decimal(str(r["realised_monthly_savings"]))
        for r in rows
        if r.get("realised_monthly_savings") is not None
    ),
    Decimal(0),
)
c4.metric(
    "Realised per month (measured)",
    money(realised),
    help=f"done: {money(by_status.get('done', Decimal(0)))}/month estimated; measured = cost before 'done' minus cost since",
)

statuses = st.multiselect(
    "Status", ["open", "accepted", "dismissed", "done"], default=["open", "accepted"]
)
shown = [r for r in rows if r["status"] in statuses]
keep = [
    "opportunity_id",
    "team_id",
    "kind",
    "title",
    "monthly_savings",
    "confidence",
    "status",
    "resource_id",
    "provider",
]
df = frame(keep, [tuple(r[k] for k in keep) for r in shown])
if df.empty:
    st.info("No opportunities match these filters.")
    st.stop()
st.dataframe(
    df,
    width="stretch",
    hide_index=True,
    column_config={
        "monthly_savings": st.column_config.NumberColumn("$ / month", format="%.2f"),
        "confidence": st.column_config.ProgressColumn("confidence", min_value=0, max_value=1),
    },
)
t1, t2 = st.columns(2)
t1.subheader("By team")
t1.bar_chart(df.groupby("team_id")["monthly_savings"].sum())
t2.subheader("By kind")
t2.bar_chart(df.groupby("kind")["monthly_savings"].sum())

labels = {
    r[
        "opportunity_id"
    ]: f"{r['title']} · {r['team_id']} · {money(r['monthly_savings'])}/mo · {r['status']}"
    for r in shown
}
chosen = st.selectbox("Opportunity", list(labels), format_func=lambda k: labels[k])
opp = next(r for r in shown if r["opportunity_id"] == chosen)
st.write(f"**{opp['title']}** — {opp['provider']} `{opp['resource_id']}`")
st.json(json.loads(opp["evidence_json"] or "{}"))
with st.form("savings_status"):
    st.write(
        f"Status: **{opp['status']}**"
        + (
            f" by {opp['status_changed_by']} — {opp['status_note']}"
            if opp.get("status_changed_by")
            else ""
        )
    )
    action = st.radio("Change to", ["accepted", "dismissed", "done", "open"], horizontal=True)
    who = st.text_input("Your name")
    note = st.text_area("Note (required to dismiss: why it does not apply)")
    if st.form_submit_button("Save"):
        from models_ml.savings.inbox import InboxError, set_status

        try:
            set_status(
                settings.lake_root,
                str(chosen),
                action,
                who,
                note,
                known_ids={r["opportunity_id"] for r in rows},
            )
            st.success(f"{chosen}: {action} by {who}")
        except InboxError as e:
            st.error(str(e))
