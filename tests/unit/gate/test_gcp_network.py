"""GCP network rules of issue 17, checked against the public prices they cite.

cloud.google.com/vpc/network-pricing (forwarding rules, us-central1): each rule past a project's
first five $0.01/hour; ingress data processed by the load balancer $0.008/GB.
"""

from __future__ import annotations

from decimal import Decimal as D

from tests.gate_plans import change, plan, priced


def test_forwarding_rules_bill_per_rule_hour_and_processed_data(catalog) -> None:
    doc = plan(
        change("google_compute_forwarding_rule", "r", {"name": "r", "region": "us-central1"}),
        change("google_compute_global_forwarding_rule", "g", {"name": "g", "target": "t"}),
    )
    out = priced(
        doc, catalog, {"google_compute_forwarding_rule.r": {"monthly_data_processed_gb": 100}}
    )
    assert out["google_compute_forwarding_rule.r"].monthly_cost == 730 * D("0.01") + 100 * D(
        "0.008"
    )
    g = out["google_compute_global_forwarding_rule.g"]
    assert g.status == "priced" and g.monthly_cost == 730 * D("0.01")
