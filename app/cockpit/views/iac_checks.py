"""IaC checks: recent cost-gate results for Terraform plans from CI."""

import json

import streamlit as st

from app.cockpit import present as p
from app.cockpit import queries as q
from app.cockpit.common import how_to_read, marts, not_produced
from app.cockpit.session import require_user

user = require_user()  # nothing is shown or read before someone signs in
st.title("IaC checks")
how_to_read(
    "each row is a Terraform plan CI uploaded: its monthly cost before and after (list prices, 730 h/month), "
    "the policy decision and its violations."
)
m = marts()
try:
    cols, rows = q.iac_checks(m)
except q.MartMissing as e:
    not_produced(e)
    st.stop()
df = p.to_frame(cols, rows)
c1, c2, c3 = st.columns(3)
c1.metric("Checks", len(df))
c2.metric("Blocked", int((df["decision"] == "block").sum()))
c3.metric(
    "Monthly cost added by passing changes",
    p.money(df.loc[df["decision"] != "block", "delta_monthly_cost"].sum(), "USD"),
)
p.show_table(df, currency="USD", hide=("violations_json",))
for _, r in df.head(20).iterrows():
    vs = json.loads(r["violations_json"] or "[]")
    if vs:
        with st.expander(f"{r['decision'].upper()} · {r['plan_path']} · {len(vs)} violation(s)"):
            for v in vs:
                st.write(
                    f"**{v['action']}** `{v['policy_id']}` {v.get('resource_address') or ''}: {v['message']}"
                )
