"""The price catalog: shipped files, build from sources, and the refresh path over real HTTP."""

from __future__ import annotations

import gzip
import json
import threading
from decimal import Decimal
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from iac_gate.catalog import COLUMNS, PriceCatalog
from iac_gate.catalog_build import (
    AZURE_SERVICES,
    DEFAULT_AZURE,
    DEFAULT_GCP,
    build_catalog,
    default_azure_files,
    fetch_sources,
    libcloud_default,
)


def test_shipped_catalog_rows_cite_source_and_date() -> None:
    for provider in ("aws", "google", "azurerm"):
        with gzip.open(f"iac_gate/data/catalog/{provider}.csv.gz", "rt") as fh:
            header = fh.readline().strip().split(",")
            assert tuple(header) == COLUMNS
            for line in list(fh)[:2000]:
                row = line.rstrip("\n").split(",")
                assert row[-2] and len(row[-1]) == 10  # source, YYYY-MM-DD


def test_build_is_reproducible_and_drops_zero_prices(tmp_path) -> None:
    lc = libcloud_default()
    assert lc is not None
    azure = default_azure_files()  # every committed Retail Prices file, as `make catalog` reads
    assert DEFAULT_AZURE in azure and len(azure) > 1
    r1 = build_catalog(tmp_path / "a", libcloud=lc, gcp=DEFAULT_GCP, azure=azure)
    build_catalog(tmp_path / "b", libcloud=lc, gcp=DEFAULT_GCP, azure=azure)
    assert (tmp_path / "a" / "aws.csv.gz").read_bytes() == (
        tmp_path / "b" / "aws.csv.gz"
    ).read_bytes()
    assert r1.dropped_zero["libcloud"] > 0
    # the shipped catalog is what `make catalog` builds from the committed sources
    for p in ("aws", "google", "azurerm"):
        assert (tmp_path / "a" / f"{p}.csv.gz").read_bytes() == Path(
            f"iac_gate/data/catalog/{p}.csv.gz"
        ).read_bytes()
    cat = PriceCatalog(tmp_path / "a")
    assert cat.price(
        "azurerm", "vm", "standardds1v2", "francecentral", {"os": "linux"}
    ).source.startswith("Azure Retail")


def test_refresh_downloads_sources_and_follows_azure_pages(tmp_path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "pricing.json").write_bytes(Path(libcloud_default()).read_bytes())
    (site / "pricing.yml").write_bytes(gzip.decompress(DEFAULT_GCP.read_bytes()))
    items = json.loads(gzip.decompress(DEFAULT_AZURE.read_bytes()))["items"]
    handler = partial(SimpleHTTPRequestHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (site / "page2.json").write_text(json.dumps({"Items": items[100:], "NextPageLink": None}))
    (site / "azure").write_text(
        json.dumps({"Items": items[:100], "NextPageLink": f"{base}/page2.json"})
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        got = fetch_sources(
            tmp_path / "dl",
            azure_regions=["francecentral"],
            libcloud_url=f"{base}/pricing.json",
            gcp_url=f"{base}/pricing.yml",
            azure_url=f"{base}/azure",
            timeout=10,
        )
    finally:
        server.shutdown()
    # two pages for each service (`AZURE_SERVICES`): this server answers every filter with the
    # same VM pages, which the other readers skip
    assert len(got["azure"]) == 2 * len(AZURE_SERVICES)
    assert all(Path(p).parent == tmp_path / "dl" for p in got["azure"])
    report = build_catalog(
        tmp_path / "cat",
        libcloud=Path(got["pricing.json"]),
        gcp=Path(got["pricing.yml"]),
        azure=[Path(p) for p in got["azure"]],
    )
    assert report.by_source["azure_retail"] == 838 and report.rows["google"] > 10000


def test_app_service_plan_prices_come_from_retail_api_pages(tmp_path) -> None:
    """The Retail Prices API's App Service items (shape as the API documents it: serviceName,
    productName, skuName, type, unitOfMeasure): Consumption instance-hours become plan prices,
    `- Linux` products are Linux, other plan products Windows; dev/test and reservation prices,
    stamp fees and certificates are not plan prices."""

    def item(product: str, sku: str, price: float, kind: str = "Consumption", unit: str = "1 Hour"):
        return {
            "serviceName": "Azure App Service", "productName": product, "skuName": sku,
            "meterName": f"{sku} App", "armRegionName": "eastus", "retailPrice": price,
            "unitOfMeasure": unit, "type": kind, "tierMinimumUnits": 0,
            "effectiveStartDate": "2024-03-01T00:00:00Z",
        }  # fmt: skip

    page = tmp_path / "azure_retail_prices_app_service_eastus.json"
    page.write_text(
        json.dumps(
            {
                "Items": [
                    item("Azure App Service Premium v3 Plan - Linux", "P1 v3", 0.5),
                    item("Azure App Service Premium v3 Plan", "P1 v3", 0.75),
                    item("Azure App Service Premium v3 Plan", "P1 mv3", 0.8),
                    item("Azure App Service Isolated v2 Plan - Linux", "I2 v2", 1.5),
                    item("Azure App Service Premium v3 Plan", "P1 v3", 0.25, "DevTestConsumption"),
                    item(
                        "Azure App Service Premium v3 Plan", "P1 v3", 1000, "Reservation", "1 Year"
                    ),
                    item("Azure App Service Isolated v2 Plan", "Stamp", 2.0),
                    item("Azure App Service SSL Connections", "IP SSL", 39, unit="1/Month"),
                ]
            }
        )
    )
    report = build_catalog(tmp_path / "cat", libcloud=None, gcp=None, azure=[page])
    assert report.by_source["azure_retail"] == 4
    cat = PriceCatalog(tmp_path / "cat")
    linux = cat.price("azurerm", "app_service_plan", "P1v3", "eastus", {"os": "linux"})
    assert linux.price == Decimal("0.5") and linux.source.startswith("Azure Retail")
    assert linux.effective_date == "2024-03-01"
    assert cat.price("azurerm", "app_service_plan", "P1v3", "eastus", {"os": "windows"}).price == (
        Decimal("0.75")
    )
    assert cat.price("azurerm", "app_service_plan", "p1mv3", "eastus", {"os": "windows"})
    assert cat.price("azurerm", "app_service_plan", "I2v2", "eastus", {"os": "linux"})
    assert cat.price("azurerm", "app_service_plan", "Stamp", "eastus", {"os": "windows"}) is None
