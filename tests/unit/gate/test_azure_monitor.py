"""Log Analytics workspaces, westeurope.

Expected values are hand-priced from the Retail Prices API list prices in
iac_gate/data/sources/azure_retail_prices_westeurope_log_analytics.json.gz (source and date in
iac_gate/data/sources/README.md): commitment tiers per day — 100 GB $252.84, 500 GB $1,115.85;
Analytics Logs ingestion $2.99 per GB from the 5th GB a month (the first 5 GB are free). A month is
730 hours, so a commitment tier bills 730 / 24 days.
"""

from __future__ import annotations

from decimal import Decimal as D

from iac_gate.gate import run_gate
from tests.gate_plans import gate_resources

DAYS = D(730) / 24


def _ws(name: str, body: str) -> str:
    return f'''
resource "azurerm_log_analytics_workspace" "{name}" {{
  name                = "{name}"
  location            = "westeurope"
  resource_group_name = "rg"
{body}
}}
'''


def test_capacity_reservation_bills_its_commitment_tier_per_day(tmp_path) -> None:
    tf = (
        _ws("c100", '  sku = "CapacityReservation"\n  reservation_capacity_in_gb_per_day = 100')
        + _ws("c500", '  sku = "CapacityReservation"\n  reservation_capacity_in_gb_per_day = 500')
        + _ws("unset", '  sku = "CapacityReservation"')
        + _ws("legacy", '  sku = "PerNode"')
    )
    res = gate_resources(tmp_path, tf)
    c100 = res["azurerm_log_analytics_workspace.c100"]
    assert c100.priced and c100.monthly_cost == DAYS * D("252.84")
    assert res["azurerm_log_analytics_workspace.c500"].monthly_cost == DAYS * D("1115.85")
    assert not res["azurerm_log_analytics_workspace.unset"].priced
    assert not res["azurerm_log_analytics_workspace.legacy"].priced


def test_pay_as_you_go_ingestion_is_usage_with_five_free_gb(tmp_path) -> None:
    without = gate_resources(tmp_path, _ws("payg", '  sku = "PerGB2018"'))
    usage = tmp_path / "usage.yml"
    usage.write_text(
        "version: 1\nresources:\n  azurerm_log_analytics_workspace.payg:\n"
        "    monthly_log_data_ingestion_gb: 105\n"
    )
    assert without["azurerm_log_analytics_workspace.payg"].monthly_cost == 0
    with_usage = {r.change.address: r for r in run_gate(tmp_path, usage_path=usage).resources}
    assert with_usage["azurerm_log_analytics_workspace.payg"].monthly_cost == (105 - 5) * D("2.99")
