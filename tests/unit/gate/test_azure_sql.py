"""Azure SQL elastic pools and licence-free / zone-redundant vCore databases, westeurope.

Expected values are hand-priced from the Retail Prices API list prices in
iac_gate/data/sources/azure_retail_prices_westeurope_sql_database.json.gz (source and date in
iac_gate/data/sources/README.md): eDTU packs per day — Basic 100 $4.84, Standard 200 $14.50,
Premium 500 $90; extra storage per GB-month — Standard $0.221, Premium $0.442; per vCore-hour —
General Purpose Gen5 $0.167439, Business Critical DC-Series $0.792, Hyperscale Gen5 $0.200926,
GP zone redundancy $0.100463;
storage per GB-month — GP $0.13685, GP zone-redundant $0.274, BC $0.2975. Storage a DTU pool
includes (Standard 200 eDTUs: 200 GB; Premium 500 eDTUs: 750 GB) is from the DTU elastic-pool
resource limits (learn.microsoft.com/azure/azure-sql/database/resource-limits-dtu-elastic-pools).
A month is 730 hours, so an eDTU pack bills 730 / 24 days.
"""

from __future__ import annotations

from decimal import Decimal as D

from tests.gate_plans import gate_resources

H = D(730)
DAYS = H / 24


def _pool(name: str, body: str) -> str:
    return f'''
resource "azurerm_mssql_elasticpool" "{name}" {{
  name                = "{name}"
  resource_group_name = "rg"
  server_name         = "srv"
  location            = "westeurope"
{body}
}}
'''


def test_dtu_pools_bill_packs_per_day_and_storage_above_the_included(tmp_path) -> None:
    tf = (
        _pool("basic", '  max_size_gb = 9.7656250\n  sku {\n    name = "BasicPool"\n    tier = "Basic"\n    capacity = 100\n  }')
        + _pool("standard", '  max_size_gb = 300\n  sku {\n    name = "StandardPool"\n    tier = "Standard"\n    capacity = 200\n  }')
        + _pool("premium", '  max_size_gb = 1024\n  sku {\n    name = "PremiumPool"\n    tier = "Premium"\n    capacity = 500\n  }')
        + _pool("standard_small", '  max_size_gb = 150\n  sku {\n    name = "StandardPool"\n    tier = "Standard"\n    capacity = 200\n  }')
    )  # fmt: skip
    res = gate_resources(tmp_path, tf)
    basic = res["azurerm_mssql_elasticpool.basic"]
    assert basic.priced and basic.monthly_cost == DAYS * D("4.84")
    standard = res["azurerm_mssql_elasticpool.standard"]
    assert standard.priced
    assert standard.monthly_cost == DAYS * D("14.5") + (300 - 200) * D("0.221")
    premium = res["azurerm_mssql_elasticpool.premium"]
    assert premium.monthly_cost == DAYS * D("90") + (1024 - 750) * D("0.442")
    # within the included 200 GB: no extra storage
    assert res["azurerm_mssql_elasticpool.standard_small"].monthly_cost == DAYS * D("14.5")


def test_vcore_pools_bill_vcores_zone_redundancy_storage_and_name_the_licence(tmp_path) -> None:
    gp = '  max_size_gb = 100\n  sku {\n    name = "GP_Gen5"\n    tier = "GeneralPurpose"\n    family = "Gen5"\n    capacity = 4\n  }'
    tf = (
        _pool("ahb", '  license_type = "BasePrice"\n' + gp)
        + _pool("ahb_zr", '  license_type = "BasePrice"\n  zone_redundant = true\n' + gp)
        + _pool("licensed", '  license_type = "LicenseIncluded"\n' + gp)
        + _pool("bc_dc", '  license_type = "BasePrice"\n  zone_redundant = true\n  max_size_gb = 100\n  sku {\n    name = "BC_DC"\n    tier = "BusinessCritical"\n    family = "DC"\n    capacity = 8\n  }')
    )  # fmt: skip
    res = gate_resources(tmp_path, tf)
    ahb = res["azurerm_mssql_elasticpool.ahb"]
    assert ahb.priced and ahb.monthly_cost == 4 * H * D("0.167439") + 100 * D("0.13685")
    ahb_zr = res["azurerm_mssql_elasticpool.ahb_zr"]
    assert ahb_zr.monthly_cost == 4 * H * (D("0.167439") + D("0.100463")) + 100 * D("0.274")
    # Business Critical includes zone redundancy: no extra vCore meter
    assert res["azurerm_mssql_elasticpool.bc_dc"].monthly_cost == 8 * H * D("0.792") + 100 * D(
        "0.2975"
    )
    licensed = res["azurerm_mssql_elasticpool.licensed"]
    assert not licensed.priced
    assert [c["name"] for c in licensed.unpriced_components()] == ["SQL licence"]
    assert licensed.monthly_cost == ahb.monthly_cost  # the priced parts, licence named apart


def test_unknown_pool_sizes_are_named_not_guessed(tmp_path) -> None:
    tf = _pool(
        "odd", '  max_size_gb = 900\n  sku {\n    name = "StandardPool"\n    tier = "Standard"\n    capacity = 150\n  }'
    ) + _pool("fsv2", '  sku {\n    name = "GP_Fsv2"\n    tier = "GeneralPurpose"\n    capacity = 8\n  }')  # fmt: skip
    res = gate_resources(tmp_path, tf)
    assert not res["azurerm_mssql_elasticpool.odd"].priced
    assert not res["azurerm_mssql_elasticpool.fsv2"].priced


def test_hybrid_benefit_and_zone_redundant_databases_use_licence_free_prices(tmp_path) -> None:
    res = gate_resources(
        tmp_path,
        """
resource "azurerm_mssql_database" "ahb" {
  name         = "ahb"
  server_id    = "srv"
  location     = "westeurope"
  sku_name     = "GP_Gen5_2"
  license_type = "BasePrice"
  max_size_gb  = 50
}
resource "azurerm_sql_database" "zr" {
  name                             = "zr"
  resource_group_name              = "rg"
  server_name                      = "srv"
  location                         = "westeurope"
  requested_service_objective_name = "GP_Gen5_4"
  license_type                     = "BasePrice"
  zone_redundant                   = true
  max_size_gb                      = 10
}
""",
    )
    ahb = res["azurerm_mssql_database.ahb"]
    assert ahb.priced and ahb.monthly_cost == 2 * H * D("0.167439") + 50 * D("0.13685")
    zr = res["azurerm_sql_database.zr"]
    assert zr.priced
    assert zr.monthly_cost == 4 * H * (D("0.167439") + D("0.100463")) + 10 * D("0.274")


def test_hyperscale_pool_bills_vcores_and_leaves_used_storage_to_usage(tmp_path) -> None:
    hs = '  license_type = "BasePrice"\n  sku {\n    name = "HS_Gen5"\n    tier = "Hyperscale"\n    capacity = 4\n  }'
    res = gate_resources(tmp_path, _pool("hs", hs))
    pool = res["azurerm_mssql_elasticpool.hs"]
    assert pool.priced and pool.monthly_cost == 4 * H * D("0.200926")
