"""Azure pricing rules, each checked against the public list price its catalog row cites.

Expected values are computed here from the curated rows' numbers (iac_gate/data/curated_prices.csv):
App Service Shared D1 (Windows) $0.013/hour
(https://azure.microsoft.com/pricing/details/app-service/windows/); Azure SQL Database vCore,
licence included, General Purpose Gen5 $0.2522 and Business Critical Gen5 $0.6812 per
vCore-hour, storage $0.115 (GP) and $0.25 (BC) per GB-month
(https://azure.microsoft.com/pricing/details/azure-sql-database/single/).
"""

from __future__ import annotations

from decimal import Decimal as D

from tests.gate_plans import gate_resources

H = D(730)


def test_shared_plan_is_the_d1_price(tmp_path) -> None:
    res = gate_resources(
        tmp_path,
        """
resource "azurerm_service_plan" "shared" {
  location     = "eastus"
  os_type      = "Windows"
  sku_name     = "SHARED"
  worker_count = 2
}
resource "azurerm_app_service_plan" "legacy" {
  location = "eastus"
  sku {
    tier = "Shared"
    size = "SHARED"
  }
}
""",
    )
    assert res["azurerm_service_plan.shared"].priced
    assert res["azurerm_service_plan.shared"].monthly_cost == 2 * H * D("0.013")
    assert res["azurerm_app_service_plan.legacy"].monthly_cost == H * D("0.013")


def test_legacy_sql_database_vcore_editions_and_objectives(tmp_path) -> None:
    res = gate_resources(
        tmp_path,
        """
resource "azurerm_sql_database" "default" {
  location = "eastus"
}
resource "azurerm_sql_database" "bc" {
  location = "eastus"
  edition  = "BusinessCritical"
}
resource "azurerm_sql_database" "objective" {
  location                         = "eastus"
  requested_service_objective_name = "BC_Gen5_4"
  max_size_bytes                   = 10737418240
}
resource "azurerm_sql_database" "gp_zr" {
  location       = "eastus"
  edition        = "GeneralPurpose"
  zone_redundant = true
}
resource "azurerm_sql_database" "hyperscale" {
  location = "eastus"
  edition  = "Hyperscale"
}
resource "azurerm_sql_database" "s0" {
  location = "eastus"
  edition  = "Standard"
}
""",
    )
    # no edition: General Purpose, Gen5, 2 vCores, 32 GB
    assert res["azurerm_sql_database.default"].monthly_cost == 2 * H * D("0.2522") + 32 * D("0.115")
    assert res["azurerm_sql_database.bc"].monthly_cost == 2 * H * D("0.6812") + 32 * D("0.25")
    # a vCore objective is priced per vCore (it was looked up as a DTU objective before)
    assert res["azurerm_sql_database.objective"].monthly_cost == 4 * H * D("0.6812") + 10 * D(
        "0.25"
    )
    # General Purpose zone redundancy is billed on top: partial, not silently complete
    gp_zr = res["azurerm_sql_database.gp_zr"]
    assert not gp_zr.priced
    assert any(
        "Zone redundancy" in c.name and c.monthly_cost is None for c in gp_zr.after.components
    )
    assert not res["azurerm_sql_database.hyperscale"].priced
    assert res["azurerm_sql_database.s0"].monthly_cost == H * D("0.0202")


def test_cosmosdb_throughput_is_billed_in_every_account_region(tmp_path) -> None:
    """$0.008 per 100 RU/s-hour in each region of a single-write-region account
    (https://learn.microsoft.com/azure/cosmos-db/optimize-cost-regions: T RU/s × N regions)."""
    res = gate_resources(
        tmp_path,
        """
resource "azurerm_cosmosdb_account" "one" {
  location = "eastus"
  geo_location {
    location          = "westus"
    failover_priority = 0
  }
}
resource "azurerm_cosmosdb_account" "two" {
  location = "eastus"
  geo_location {
    location          = "westus"
    failover_priority = 0
  }
  geo_location {
    location          = "centralus"
    failover_priority = 1
    zone_redundant    = true
  }
}
resource "azurerm_cosmosdb_account" "multi" {
  location                        = "eastus"
  multiple_write_locations_enabled = true
}
resource "azurerm_cosmosdb_sql_database" "db" {
  account_name = azurerm_cosmosdb_account.one.name
  throughput   = 500
}
resource "azurerm_cosmosdb_cassandra_keyspace" "ks" {
  account_name = azurerm_cosmosdb_account.two.name
  throughput   = 1000
}
resource "azurerm_cosmosdb_mongo_database" "multi" {
  account_name = azurerm_cosmosdb_account.multi.name
  throughput   = 400
}
resource "azurerm_cosmosdb_sql_container" "auto" {
  account_name = azurerm_cosmosdb_account.one.name
  autoscale_settings {
    max_throughput = 4000
  }
}
resource "azurerm_cosmosdb_table" "elsewhere" {
  account_name = "an-account-of-another-plan"
  throughput   = 400
}
""",
    )
    rate = D("0.008")
    db = res["azurerm_cosmosdb_sql_database.db"]
    assert db.priced and db.monthly_cost == 5 * H * rate
    ks = res["azurerm_cosmosdb_cassandra_keyspace.ks"]
    # westus and centralus each bill the 1,000 RU/s; centralus' zone redundancy is unpriced
    assert not ks.priced
    assert sum(c.monthly_cost or 0 for c in ks.after.components) == 2 * 10 * H * rate
    assert [c.name for c in ks.after.components if c.monthly_cost is None] == [
        "Zone redundancy (centralus)"
    ]
    assert not res["azurerm_cosmosdb_mongo_database.multi"].priced
    auto = res["azurerm_cosmosdb_sql_container.auto"]
    assert all(c.usage_based for c in auto.after.components)
    assert not res["azurerm_cosmosdb_table.elsewhere"].priced


def test_hybrid_benefit_sql_vcores_are_not_priced_at_the_licence_included_rate(tmp_path) -> None:
    res = gate_resources(
        tmp_path,
        """
resource "azurerm_mssql_database" "ahb" {
  location     = "eastus"
  sku_name     = "GP_Gen5_4"
  license_type = "BasePrice"
  max_size_gb  = 50
}
resource "azurerm_mssql_database" "li" {
  location    = "eastus"
  sku_name    = "GP_Gen5_4"
  max_size_gb = 50
}
""",
    )
    ahb = res["azurerm_mssql_database.ahb"]
    assert not ahb.priced and ahb.monthly_cost == 50 * D("0.115")
    assert res["azurerm_mssql_database.li"].monthly_cost == 4 * H * D("0.2522") + 50 * D("0.115")
