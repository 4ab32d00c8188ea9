"""Google Cloud load-balancing network resources (google provider v4-v6)."""

from __future__ import annotations

from decimal import Decimal

from iac_gate.model import Component
from iac_gate.pricing.base import PriceFn, Pricer, Side


def google_compute_forwarding_rule(side: Side, p: Pricer) -> list[Component]:
    """A forwarding rule bills per hour, and its load balancer per GB of ingress it processes
    (https://cloud.google.com/vpc/network-pricing#forwarding-rules-charges). Google bills the
    first five rules of a project and region together ($0.025/hour in us-central1) and each
    rule past five at $0.01/hour; a plan does not show the project's other rules, so each rule
    is priced at the per-rule rate, what one more rule adds to a project that has five."""
    return [
        p.component(
            side, "Forwarding rule (per-rule rate)", "forwarding_rule", "rule", Decimal(1),
            per_hour=True,
        ),
        p.component(
            side, "Ingress data processed", "forwarding_rule", "data_processed", None,
            usage_key="monthly_data_processed_gb",
        ),
    ]  # fmt: skip


PRICERS: dict[str, PriceFn] = {
    "google_compute_forwarding_rule": google_compute_forwarding_rule,
    "google_compute_global_forwarding_rule": google_compute_forwarding_rule,
}
