"""Data health: is the data complete and current? Freshness per provider and export, reconciliation
per billing period, quarantined files with their reasons, the last pipeline runs."""

import os

import streamlit as st

from app.cockpit import health
from app.cockpit import present as p
from app.cockpit import queries as q
from app.cockpit.common import how_to_read, marts, not_produced
from app.cockpit.session import lake_root, require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("Data health")
how_to_read(
    "data through = the last day with cost per provider; last delivery = when ingest last loaded a file of "
    "that export. Reconciliation compares the billed total of the raw exports with the FOCUS charges and the "
    "daily mart, per provider, billing period and currency: every row should be reconciled to the cent. "
    "Quarantined files were rejected with the reason shown; the rest of the delivery loaded."
)
m = marts()
try:
    dc, dr = health.data_through(m)
except q.MartMissing as e:
    not_produced(e)
    st.stop()
st.subheader("Freshness")
through = p.to_frame(dc, dr)
fcols, frows = health.ingest_files(m, lake_root())
files = p.to_frame(fcols, frows)
deliveries = p.to_frame(
    ["provider", "source", "last_delivery_at", "rel", "quarantined"],
    [tuple(d.values()) for d in health.last_deliveries(fcols, frows)],
)
if not deliveries.empty:
    through = deliveries.merge(through, on="provider", how="left")
p.show_table(through, tooltips={"rel": "the newest file loaded for this export"})

st.subheader("Reconciliation per billing period")
try:
    rc, rr = health.reconciliation(m)
    rec = p.to_frame(rc, rr)
    if m.scoped():
        st.caption("Reconciliation covers the whole bill; your role sees its own teams only.")
    elif not rec.empty and {"is_reconciled", "difference"} <= set(rec.columns):
        bad = rec[~rec["is_reconciled"].astype(bool)]
        c1, c2 = st.columns(2)
        c1.metric("Periods reconciled", f"{len(rec) - len(bad)} of {len(rec)}")
        c2.metric(
            "Largest difference",
            p.money(rec["difference"].abs().max(), p.single_currency(rec)),
        )
        if not bad.empty:
            st.error(
                f"{len(bad)} provider-period(s) do not reconcile to the cent: see the rows unticked below."
            )
        p.show_table(rec, hide=("reconciliation_id",))
    else:
        p.show_table(rec, hide=("reconciliation_id",))
except q.MartMissing as e:
    not_produced(e)

st.subheader("Quarantined files")
quarantined = files[files["status"] == "quarantined"] if not files.empty else files
if m.scoped():
    st.caption("Ingest files cover the whole bill; your role sees its own teams only.")
elif quarantined.empty:
    st.success("No file is in quarantine.")
else:
    p.show_table(quarantined, hide=("status",))

st.subheader("Last pipeline runs")
dagster_url = os.environ.get("SIBYL_DAGSTER_URL", "")
if dagster_url:
    runs, problem = health.dagster_runs(dagster_url)
    if problem:
        st.warning(problem + "; showing the ingest run reports instead.")
    else:
        p.show_table(
            p.to_frame(list(runs[0]) if runs else ["job"], [tuple(r.values()) for r in runs])
        )
else:
    problem = "no Dagster URL configured (set SIBYL_DAGSTER_URL, e.g. http://127.0.0.1:3000)"
    st.caption(f"Ingest run reports from the lake; {problem}.")
if problem:
    rr_ = health.report_runs(lake_root())
    if rr_:
        p.show_table(p.to_frame(list(rr_[0]), [tuple(r.values()) for r in rr_]))
    else:
        st.caption("No ingest run report yet.")
