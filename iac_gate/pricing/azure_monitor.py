"""Azure Monitor Log Analytics workspaces (`azurerm_log_analytics_workspace`).

A `CapacityReservation` workspace commits to `reservation_capacity_in_gb_per_day` and bills that
commitment tier per day whatever it ingests; a pay-as-you-go (`PerGB2018`) workspace bills the GB
it ingests, the first 5 GB a month free (usage), and retention beyond 31 days per GB-month (usage)
(https://azure.microsoft.com/pricing/details/monitor/).
"""

from __future__ import annotations

from decimal import Decimal

from iac_gate.model import Component, Unknown
from iac_gate.pricing.base import HOURS, PriceFn, Pricer, Side, missing

DAYS_PER_MONTH = HOURS / 24  # commitment tiers are listed per day; a month is 730 hours


def azurerm_log_analytics_workspace(side: Side, p: Pricer) -> list[Component]:
    sku = side.text("sku") or "PerGB2018"
    if isinstance(sku, Unknown):
        return [missing("Workspace", sku.why)]
    if sku == "CapacityReservation":
        gb = side.number("reservation_capacity_in_gb_per_day")
        if gb is None or isinstance(gb, Unknown):
            why = gb.why if isinstance(gb, Unknown) else "no reservation_capacity_in_gb_per_day"
            return [missing("Commitment tier", why)]
        return [
            p.component(
                side, f"Commitment tier ({gb} GB/day)", "log_analytics_commitment",
                str(int(gb)), DAYS_PER_MONTH,
            )
        ]  # fmt: skip
    if sku in ("PerGB2018", "Free"):
        if sku == "Free":
            return []
        used = side.usage.get("monthly_log_data_ingestion_gb")
        if used is not None and side.region is not None:
            return p.tiered(
                side, "Data ingestion", "log_analytics", "ingestion", Decimal(str(used))
            )
        return [
            p.component(
                side, "Data ingestion", "log_analytics", "ingestion", None,
                usage_key="monthly_log_data_ingestion_gb",
            )
        ]  # fmt: skip
    return [missing(f"Workspace ({sku})", f"the legacy {sku} pricing tier is not modelled")]


PRICERS: dict[str, PriceFn] = {"azurerm_log_analytics_workspace": azurerm_log_analytics_workspace}
