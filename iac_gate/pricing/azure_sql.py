"""Azure SQL Database elastic pools (`azurerm_mssql_elasticpool`).

DTU pools (`BasicPool`, `StandardPool`, `PremiumPool`, capacity = eDTUs) bill one eDTU pack per
day, and Standard and Premium pools bill the storage set above what the pack includes per GB-month
(https://azure.microsoft.com/pricing/details/azure-sql-database/elastic/). vCore pools (`GP_Gen5`,
`BC_DC`, ..., capacity = vCores) bill vCores per hour, the SQL licence per vCore-hour unless
`license_type = "BasePrice"` (Azure Hybrid Benefit), General Purpose zone redundancy per vCore-hour
(Business Critical includes it) and the pool's maximum size per GB-month.
"""

from __future__ import annotations

import re
from decimal import Decimal

from iac_gate.model import Component, Unknown
from iac_gate.pricing.base import HOURS, PriceFn, Pricer, Side, missing

DAYS_PER_MONTH = HOURS / 24  # the eDTU packs are listed per day; a month is 730 hours
_DTU_POOL = {"BasicPool": "Basic", "StandardPool": "Standard", "PremiumPool": "Premium"}
_VCORE_POOL = re.compile(r"^(GP|BC|HS)_(Gen5|DC)$")

# "Included storage per pool (GB)" by eDTUs per pool, from the DTU elastic-pool resource limits
# (MicrosoftDocs/azure-docs@2ea9db3221c5147661297fa5a3d2c18531ad29d4,
# articles/azure-sql/database/resource-limits-dtu-elastic-pools.md; published at
# https://learn.microsoft.com/azure/azure-sql/database/resource-limits-dtu-elastic-pools).
# Basic pools cannot be given more storage than they include.
INCLUDED_STORAGE_GB: dict[str, dict[int, int]] = {
    "Basic": {50: 5, 100: 10, 200: 20, 300: 29, 400: 39, 800: 78, 1200: 117, 1600: 156},
    "Standard": {
        50: 50, 100: 100, 200: 200, 300: 300, 400: 400, 800: 800,
        1200: 1200, 1600: 1600, 2000: 2000, 2500: 2500, 3000: 3000,
    },
    "Premium": {
        125: 250, 250: 500, 500: 750, 1000: 1024, 1500: 1536,
        2000: 2048, 2500: 2560, 3000: 3072, 3500: 3548, 4000: 4096,
    },
}  # fmt: skip


def _max_size_gb(side: Side) -> Decimal | Unknown | None:
    gb = side.number("max_size_gb")
    if gb is None:
        size = side.number("max_size_bytes")
        if isinstance(size, Decimal):
            return size / Decimal(1024**3)
        return size
    return gb


def _dtu_pool(
    side: Side, p: Pricer, tier: str, edtu: Decimal, max_gb: Decimal | Unknown | None
) -> list[Component]:
    n = int(edtu)
    out = [
        p.component(
            side, f"eDTUs ({tier} pool, {n})", "sql_elastic_pool_dtu", f"{tier}_{n}", DAYS_PER_MONTH
        )
    ]
    included = INCLUDED_STORAGE_GB[tier].get(n)
    if tier == "Basic" or max_gb is None:
        return out
    if isinstance(max_gb, Unknown) or included is None:
        why = max_gb.why if isinstance(max_gb, Unknown) else f"{tier} pools have no {n} eDTU size"
        return [*out, missing("Extra storage", why)]
    if max_gb > included:
        out.append(
            p.component(
                side, f"Extra storage (above {included} GB)", "sql_dtu_extra_storage", tier,
                max_gb - included,
            )
        )  # fmt: skip
    return out


def _vcore_pool(
    side: Side, p: Pricer, sku: str, vcores: Decimal, max_gb: Decimal | Unknown | None
) -> list[Component]:
    tier = sku.split("_", 1)[0]
    zr = side.flag("zone_redundant")
    out = [
        p.component(
            side, f"vCores ({sku}, {vcores})", "sql_vcore_compute", sku, vcores, per_hour=True
        )
    ]
    if str(side.text("license_type") or "LicenseIncluded") != "BasePrice":
        out.append(missing("SQL licence", "SQL licence prices are not in the catalog"))
    if tier == "GP" and zr:
        out.append(
            p.component(
                side, "Zone redundancy", "sql_vcore_zone_redundancy", sku, vcores, per_hour=True
            )
        )
    if tier == "HS":  # Hyperscale bills the storage the databases use: a usage part
        out.append(
            Component(
                "Storage (used)", "GB-month", None, None, usage_based=True,
                unpriced_reason="Hyperscale storage prices are not in the catalog",
            )
        )  # fmt: skip
        return out
    storage_sku = "GP_ZR" if tier == "GP" and zr else tier
    out.append(p.component(side, "Storage", "sql_database_storage", storage_sku, max_gb))
    return out


def azurerm_mssql_elasticpool(side: Side, p: Pricer) -> list[Component]:
    sku, cap = side.text("sku", "name"), side.number("sku", "capacity")
    if isinstance(sku, Unknown):
        return [missing("Elastic pool", sku.why)]
    if isinstance(cap, Unknown):
        return [missing("Elastic pool", cap.why)]
    if sku is None or cap is None:
        return [missing("Elastic pool", "the pool's sku name or capacity is not set")]
    max_gb = _max_size_gb(side)
    if sku in _DTU_POOL:
        return _dtu_pool(side, p, _DTU_POOL[sku], cap, max_gb)
    if _VCORE_POOL.match(sku):
        return _vcore_pool(side, p, sku, cap, max_gb)
    return [missing(f"Elastic pool ({sku})", f"elastic pool SKU {sku} is not modelled")]


PRICERS: dict[str, PriceFn] = {"azurerm_mssql_elasticpool": azurerm_mssql_elasticpool}
