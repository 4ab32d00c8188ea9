"""The committed price sources: each is documented, and the shipped catalog carries their prices.

Expected values are read straight from the committed Retail Prices API files (Decimal of the raw
JSON number), not from the build code.
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

from iac_gate.catalog import PriceCatalog

SOURCES = Path("iac_gate/data/sources")
APP_SERVICE_FILES = sorted(SOURCES.glob("azure_retail_prices_*_app_service.json.gz"))
NOT_PLAN_SKUS = {"Stamp", "ASIP", "Shared"}


def _items(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(json.load(fh)["Items"])


def test_every_committed_source_is_documented() -> None:
    readme = (SOURCES / "README.md").read_text(encoding="utf-8")
    for path in SOURCES.glob("azure_retail_prices_*.json.gz"):
        assert f"`{path.name}`" in readme, path.name


def test_app_service_extracts_are_whole_regions_of_hourly_list_prices() -> None:
    assert [p.name for p in APP_SERVICE_FILES] == [
        "azure_retail_prices_eastus2_app_service.json.gz",
        "azure_retail_prices_westeurope_app_service.json.gz",
    ]
    for path in APP_SERVICE_FILES:
        items = _items(path)
        assert len(items) == 94
        assert {i["serviceName"] for i in items} == {"Azure App Service"}
        assert {i["type"] for i in items} == {"Consumption"}
        assert {i["unitOfMeasure"] for i in items} == {"1 Hour"}
        assert len({i["armRegionName"] for i in items}) == 1
        assert len({i["meterId"] for i in items}) == 94
        # every plan tier is there for both OSes where Azure sells it
        skus = {(i["productName"].endswith("- Linux"), i["skuName"]) for i in items}
        for linux in (False, True):
            for sku in ("B1", "S1", "P1 v2", "P0v3", "P1 v3", "P1mv3", "P5mv3", "I1 v2", "I6 v2"):
                assert (linux, sku) in skus
        assert (False, "PC2") in skus and (False, "I3") in skus and (True, "I3") in skus


def test_shipped_catalog_prices_every_app_service_plan_meter_of_the_extracts() -> None:
    cat = PriceCatalog()
    checked = 0
    for path in APP_SERVICE_FILES:
        for item in _items(path):
            if item["skuName"] in NOT_PLAN_SKUS:
                continue
            sku = item["skuName"].replace(" ", "")
            os_name = "linux" if item["productName"].endswith("- Linux") else "windows"
            hit = cat.price(
                "azurerm", "app_service_plan", sku, item["armRegionName"], {"os": os_name}
            )
            assert hit is not None, (sku, os_name, item["armRegionName"])
            assert hit.price == Decimal(str(item["retailPrice"])), (sku, os_name)
            assert hit.source.startswith("Azure Retail Prices API")
            assert hit.effective_date == item["effectiveStartDate"][:10]
            checked += 1
    assert checked == 2 * 89


def test_known_meters_of_the_extracts() -> None:
    """Spot checks against the cited source file's items (meterId → retailPrice as published)."""
    by_meter = {i["meterId"]: i for p in APP_SERVICE_FILES for i in _items(p)}
    # eastus2, Premium v3 Plan - Linux, P1 v3 App
    assert by_meter["6b4d6c1f-9d3d-5be4-8f90-9081da8b3551"]["retailPrice"] == 0.155
    # westeurope, Isolated v2 Plan (Windows), I2 v2 App
    assert by_meter["cd072dd0-1ede-56d8-983b-264ce251b5d0"]["retailPrice"] == 1.14
    cat = PriceCatalog()
    month = Decimal(730)
    p1v3 = cat.price("azurerm", "app_service_plan", "P1v3", "eastus2", {"os": "linux"})
    assert p1v3 is not None and p1v3.price * month == Decimal("113.150")
    i2v2 = cat.price("azurerm", "app_service_plan", "I2v2", "westeurope", {"os": "windows"})
    assert i2v2 is not None and i2v2.price * month * 2 == Decimal("1664.40")
