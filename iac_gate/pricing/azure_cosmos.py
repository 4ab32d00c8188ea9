"""Azure Cosmos DB databases and containers with provisioned throughput.

Billing (https://learn.microsoft.com/azure/cosmos-db/optimize-cost-regions): the RU/s
provisioned on a database or container are reserved in every region of its account, so an
hour costs T RU/s × N regions; a single-write-region account pays $0.008 per 100 RU/s-hour in
each region. Autoscale bills the highest RU/s reached each hour (usage), serverless accounts
bill consumed RUs (usage); multi-region-write and zone-redundant regions bill at other rates
that the catalog does not carry, so they are reported as unpriced parts, never left out.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from iac_gate.model import Component, Unknown
from iac_gate.plan import normalize_region
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing

_HUNDRED = Decimal(100)


def account_regions(account: Side) -> list[tuple[str, bool]]:
    """(region, zone redundant) of each `geo_location` in failover order; else the account's
    location."""
    locs = [b for b in account.blocks("geo_location") if isinstance(b.get("location"), str)]
    locs.sort(key=lambda b: b.get("failover_priority") or 0)
    if locs:
        return [
            (normalize_region("azurerm", b["location"]), b.get("zone_redundant") is True)
            for b in locs
        ]
    loc = account.get("location")
    return [(normalize_region("azurerm", loc), False)] if isinstance(loc, str) else []


def _account(side: Side) -> dict[str, Any] | None:
    for path in ("account_name", "account_id"):
        found = side.related(path)
        if found is not None:
            return found
    return None


def _throughput(side: Side, p: Pricer) -> list[Component]:
    manual = side.number("throughput")
    autoscale_max = side.number("autoscale_settings", "max_throughput")
    if manual is None and autoscale_max is None:
        return []  # throughput shared from the database, or a serverless account: usage only
    found = _account(side)
    if found is None:
        return [missing("Provisioned throughput", "its Cosmos DB account is not in this plan")]
    account = side.sub(found)
    if "EnableServerless" in {str(c.get("name")) for c in account.blocks("capabilities")}:
        ru = missing("Request units (serverless)", "serverless accounts bill consumed RUs")
        ru.usage_based = True
        return [ru]
    regions = account_regions(account)
    if not regions:
        return [missing("Provisioned throughput", "the account's regions are unknown")]
    multi = account.flag("multiple_write_locations_enabled") or account.flag(
        "enable_multiple_write_locations"
    )
    out: list[Component] = []
    for region, zone_redundant in regions:
        here = replace(side, region=region)
        if autoscale_max is not None:
            c = missing(
                f"Provisioned throughput (autoscale up to {autoscale_max} RU/s, {region})",
                "autoscale bills the highest RU/s reached each hour; autoscale prices are not "
                "in the catalog",
            )
            c.usage_based = True
            out.append(c)
            continue
        if isinstance(manual, Unknown):
            out.append(missing(f"Provisioned throughput ({region})", "throughput unknown"))
            continue
        if multi:
            out.append(
                missing(
                    f"Provisioned throughput ({manual} RU/s, multi-region writes, {region})",
                    "multi-region-write throughput prices are not in the catalog",
                )
            )
            continue
        out.append(
            p.component(
                here, f"Provisioned throughput ({manual} RU/s, {region})", "cosmosdb",
                "provisioned", manual / _HUNDRED if isinstance(manual, Decimal) else manual,
                per_hour=True,
            )
        )  # fmt: skip
        if zone_redundant:
            out.append(
                missing(
                    f"Zone redundancy ({region})",
                    "zone-redundant throughput prices are not in the catalog",
                )
            )
    return out


def cosmosdb_throughput(side: Side, p: Pricer) -> list[Component]:
    """Throughput set on this database or container, in each of its account's regions."""
    return _throughput(side, p)


PRICERS: dict[str, PriceFn] = {
    f"azurerm_cosmosdb_{kind}": cosmosdb_throughput
    for kind in (
        "sql_database", "sql_container", "mongo_database", "mongo_collection",
        "cassandra_keyspace", "cassandra_table", "gremlin_database", "gremlin_graph", "table",
    )
}  # fmt: skip
