"""Azure databases (azurerm provider v3-v4): Azure SQL, the flexible servers, Redis."""

from __future__ import annotations

import re
from decimal import Decimal

from iac_gate.model import Component, Unknown
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing

_ONE = Decimal(1)

# Azure SQL vCore objectives: provisioned General Purpose / Business Critical on Gen5 hardware
# (https://azure.microsoft.com/pricing/details/azure-sql-database/single/).
_VCORE = re.compile(r"^(GP|BC)_Gen5_(\d+)$")
# What Azure creates for a vCore edition given without a service objective: Gen5, 2 vCores
# (`az sql db create` defaults: --edition GeneralPurpose --family Gen5 --capacity 2), and a
# 32 GB maximum size (https://learn.microsoft.com/azure/azure-sql/database/resource-limits-vcore-single-databases).
EDITION_DEFAULT_OBJECTIVE = {
    "Basic": "Basic", "Standard": "S0", "Premium": "P1",
    "GeneralPurpose": "GP_Gen5_2", "BusinessCritical": "BC_Gen5_2", "Hyperscale": "HS_Gen5_2",
}  # fmt: skip
VCORE_DEFAULT_MAX_GB = Decimal(32)


def _sql_objective(
    side: Side, p: Pricer, sku: str, max_gb: Decimal | Unknown | None
) -> list[Component]:
    """One database's compute (and storage) for a service objective: vCores × the per-vCore hour
    (licence included), storage per GB-month; a DTU objective is one hourly price."""
    m = _VCORE.match(sku)
    if m:
        tier, vcores = m.group(1), Decimal(m.group(2))
        zr = tier == "GP" and side.flag("zone_redundant")
        if str(side.text("license_type") or "LicenseIncluded") == "BasePrice":
            # Azure Hybrid Benefit: the vCore price without the SQL licence
            compute = p.component(
                side, f"vCores ({sku}, Azure Hybrid Benefit)", "sql_vcore_compute",
                f"{tier}_Gen5", vcores, per_hour=True,
            )  # fmt: skip
        else:
            compute = p.component(
                side, f"vCores ({sku})", "sql_database_vcore", f"{tier}_Gen5", vcores,
                per_hour=True,
            )  # fmt: skip
        out = [
            compute,
            p.component(
                side, "Storage", "sql_database_storage", "GP_ZR" if zr else tier,
                VCORE_DEFAULT_MAX_GB if max_gb is None else max_gb,
            ),
        ]  # fmt: skip
        if zr:
            # Business Critical includes zone redundancy; General Purpose bills it per vCore-hour
            # and stores the data zone-redundantly
            # (https://azure.microsoft.com/pricing/details/azure-sql-database/single/).
            out.append(
                p.component(
                    side, "Zone redundancy (GP)", "sql_vcore_zone_redundancy", "GP_Gen5", vcores,
                    per_hour=True,
                )
            )  # fmt: skip
        return out
    if sku.startswith(("GP_S_", "HS_")):
        return [
            missing(f"Database ({sku})", "serverless and Hyperscale prices are not in the catalog")
        ]
    return [
        p.component(side, f"Database ({sku} DTU)", "sql_database_dtu", sku, _ONE, per_hour=True)
    ]


def azurerm_mssql_database(side: Side, p: Pricer) -> list[Component]:
    sku = side.text("sku_name")
    if not isinstance(sku, str):
        return [
            missing("Database", "sku_name unknown (an elastic pool database is priced on its pool)")
        ]
    if sku == "ElasticPool":
        return []
    return _sql_objective(side, p, sku, side.number("max_size_gb"))


def azurerm_sql_database(side: Side, p: Pricer) -> list[Component]:
    """The legacy resource: `requested_service_objective_name`, else the edition's default
    objective (DTU editions: their smallest, Basic, S0, P1; vCore editions: Gen5 with 2 vCores).
    No edition is a General Purpose database, as Azure creates it."""
    if side.text("elastic_pool_name"):
        return []  # priced on its elastic pool
    sku = side.text("requested_service_objective_name")
    if sku is None:
        edition = str(side.text("edition") or "GeneralPurpose")
        sku = EDITION_DEFAULT_OBJECTIVE.get(edition)
        if sku is None:
            return [missing(f"Database ({edition})", f"edition {edition} is not modelled")]
    if not isinstance(sku, str):
        return [missing("Database", "service objective unknown")]
    size_bytes = side.number("max_size_bytes")
    max_gb = side.number("max_size_gb")
    if max_gb is None and isinstance(size_bytes, Decimal):
        max_gb = size_bytes / Decimal(1024**3)
    return _sql_objective(side, p, sku, max_gb)


def _flexible(side: Side, p: Pricer, engine: str) -> list[Component]:
    sku = side.text("sku_name")
    ha = side.text("high_availability", "mode")
    n = Decimal(2) if ha in ("ZoneRedundant", "SameZone") else _ONE
    out = [
        p.component(
            side,
            f"Compute ({sku}{', HA standby' if n == 2 else ''})",
            "flexible_server",
            sku,
            n,
            attrs={"engine": engine},
            per_hour=True,
        )
    ]
    if engine == "postgresql":
        mb = side.number("storage_mb", default=32768)
        gb = mb / 1024 if isinstance(mb, Decimal) else mb
    else:
        gb = side.number("storage", "size_gb", default=20)
    out.append(
        p.component(
            side,
            "Storage",
            "flexible_server_storage",
            "standard",
            gb * n if isinstance(gb, Decimal) else gb,
            attrs={"engine": engine},
        )
    )
    return out


def azurerm_postgresql_flexible_server(side: Side, p: Pricer) -> list[Component]:
    return _flexible(side, p, "postgresql")


def azurerm_mysql_flexible_server(side: Side, p: Pricer) -> list[Component]:
    return _flexible(side, p, "mysql")


def azurerm_redis_cache(side: Side, p: Pricer) -> list[Component]:
    sku, family, cap = side.text("sku_name"), side.text("family"), side.number("capacity")
    shards = side.number("shard_count") or _ONE
    key = f"{sku}_{family}{cap}" if isinstance(cap, Decimal) else None
    n = shards if sku == "Premium" and isinstance(shards, Decimal) and shards > 0 else _ONE
    return [p.component(side, f"Cache ({key})", "redis_cache", key, n, per_hour=True)]


PRICERS: dict[str, PriceFn] = {
    "azurerm_mssql_database": azurerm_mssql_database,
    "azurerm_sql_database": azurerm_sql_database,
    "azurerm_postgresql_flexible_server": azurerm_postgresql_flexible_server,
    "azurerm_mysql_flexible_server": azurerm_mysql_flexible_server,
    "azurerm_redis_cache": azurerm_redis_cache,
}
