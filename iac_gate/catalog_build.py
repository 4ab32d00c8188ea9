"""Build the offline price catalog from public price files.

Sources, in precedence order (a later source never overwrites an earlier one's price for the
same provider/product/sku/attributes/region/tier):

1. the Azure Retail Prices API JSON (`items[]`, as `prices.azure.com/api/retail/prices` returns
   it, one or more pages): Azure VM and App Service plan consumption prices;
2. Cyclenerd's `pricing.yml` (google-cloud-pricing-cost-calculator): GCE machine types, disks,
   external IPs, Cloud NAT, per region;
3. apache-libcloud's `libcloud/data/pricing.json`: EC2 on-demand (Linux, Windows, RHEL, SUSE),
   GCE per-core / per-GB-RAM family prices (custom machine types), Azure VMs in every region;
4. `iac_gate/data/curated_prices.csv`: public list prices of the services those files lack
   (EBS, RDS, ELB, NAT, EKS, ElastiCache, Cloud SQL, managed disks, Azure SQL, ...), each row
   with its price page and effective date.

Zero prices in a source mean "not offered / not known" there and are dropped (counted in the
build report), never shipped as a $0 price.

    python -m iac_gate.catalog_build [--out DIR] [--libcloud FILE] [--gcp FILE] [--azure FILE...]
    python -m iac_gate.catalog_build --fetch DIR   # download newer public files (needs network)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import logging
import os
import re
import sys
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from iac_gate.catalog import COLUMNS, PROVIDERS, SHIPPED_DIR, azure_vm_key, canonical_attrs

log = logging.getLogger(__name__)

CURATED = Path(__file__).parent / "data" / "curated_prices.csv"
SOURCES = Path(__file__).parent / "data" / "sources"
DEFAULT_GCP = SOURCES / "gcp_pricing.yml.gz"
DEFAULT_AZURE = SOURCES / "azure_retail_prices_francecentral.json.gz"


def default_azure_files() -> list[Path]:
    """Every committed Azure Retail Prices API file (`azure_retail_prices_*.json.gz`)."""
    return sorted(SOURCES.glob("azure_retail_prices_*.json.gz"))


LIBCLOUD_URL = "https://raw.githubusercontent.com/apache/libcloud/trunk/libcloud/data/pricing.json"
GCP_URL = (
    "https://raw.githubusercontent.com/Cyclenerd/google-cloud-pricing-cost-calculator/"
    "master/pricing.yml"
)
AZURE_URL = "https://prices.azure.com/api/retail/prices"

# Cyclenerd disk names -> Terraform disk types.
GCP_DISKS = {
    "hdd": "pd-standard", "balanced": "pd-balanced", "ssd": "pd-ssd", "extreme": "pd-extreme",
    "hdd-replicated": "regional-pd-standard", "balanced-replicated": "regional-pd-balanced",
    "ssd-replicated": "regional-pd-ssd", "hyperdisk-extreme": "hyperdisk-extreme",
    "local": "local-ssd",
}  # fmt: skip
EC2_OS = {"ec2_linux": "linux", "ec2_windows": "windows", "ec2_rhel": "rhel", "ec2_suse": "suse"}
LIBCLOUD_EC2_LEGACY = {
    "ec2_us_east": "us-east-1", "ec2_us_east_ohio": "us-east-2", "ec2_us_west": "us-west-1",
    "ec2_us_west_oregon": "us-west-2", "ec2_eu_west": "eu-west-1", "ec2_eu_west_2": "eu-west-2",
    "ec2_eu_west_london": "eu-west-2", "ec2_eu_west_3": "eu-west-3", "ec2_eu_central": "eu-central-1",
    "ec2_ap_northeast": "ap-northeast-1", "ec2_ap_southeast": "ap-southeast-1",
    "ec2_ap_southeast_2": "ap-southeast-2", "ec2_ap_south_1": "ap-south-1", "ec2_sa_east": "sa-east-1",
    "ec2_ca_central": "ca-central-1", "ec2_ca_central_1": "ca-central-1",
    "ec2_us_govwest": "us-gov-west-1",
}  # fmt: skip


def _read_text(path: Path) -> str:
    """A source file, gzipped or not (BOM tolerated)."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8-sig")


@dataclass
class BuildReport:
    rows: Counter[str] = field(default_factory=Counter)  # per provider
    by_source: Counter[str] = field(default_factory=Counter)
    dropped_zero: Counter[str] = field(default_factory=Counter)
    shadowed: Counter[str] = field(default_factory=Counter)  # rows a higher-precedence source had

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": dict(self.rows),
            "by_source": dict(self.by_source),
            "dropped_zero_prices": dict(self.dropped_zero),
            "shadowed": dict(self.shadowed),
        }


Row = list[str]


def _row(
    provider: str,
    product: str,
    sku: str,
    attrs: dict[str, str] | None,
    region: str,
    unit: str,
    price: Any,
    source: str,
    effective: str,
    tier_start: Any = 0,
) -> Row:
    return [
        provider,
        product,
        sku,
        canonical_attrs(attrs),
        region,
        unit,
        format(Decimal(str(tier_start)), "f"),
        format(Decimal(str(price)), "f"),
        "USD",
        source,
        effective,
    ]


AZURE_SRC = "Azure Retail Prices API (prices.azure.com)"
AZURE_SERVICES = (
    "Virtual Machines",
    "Azure App Service",
    "SQL Database",
    "Azure Monitor",
    "Log Analytics",
)
# App Service plan meters: skuName "P1 v3", "I2 v2", "P1 mv3", "PC2", "B1" are Terraform's
# `P1v3`, `I2v2`, `P1mv3`, `PC2`, `B1` (stamp fees, certificates and domains are not plan SKUs).
_PLAN_SKU = re.compile(r"^(?:[BSD]\d|P\d(?:v2|v3|mv3|v4|mv4)?|I\d(?:v2|mv2)?|PC\d)$", re.I)


def _azure_vm_row(it: dict[str, Any]) -> Row | None:
    meter = str(it.get("meterName", ""))
    if "Spot" in meter or "Low Priority" in meter or it.get("unitOfMeasure") != "1 Hour":
        return None
    os_name = "windows" if "Windows" in str(it.get("productName", "")) else "linux"
    return _row(
        "azurerm", "vm", azure_vm_key(it["armSkuName"]), {"os": os_name}, it["armRegionName"],
        "hour", it["retailPrice"], AZURE_SRC, str(it.get("effectiveStartDate", ""))[:10],
        it.get("tierMinimumUnits", 0),
    )  # fmt: skip


def _azure_app_service_row(it: dict[str, Any]) -> Row | None:
    """A plan instance-hour. Linux plans' products end in `- Linux`; Windows plans' products
    carry no OS word (`Azure App Service Premium v3 Plan`)."""
    product = str(it.get("productName", ""))
    sku = str(it.get("skuName", "")).replace(" ", "")
    if " Plan" not in product or it.get("unitOfMeasure") != "1 Hour" or not _PLAN_SKU.match(sku):
        return None
    os_name = "linux" if "Linux" in product else "windows"
    return _row(
        "azurerm", "app_service_plan", sku[0].upper() + sku[1:].lower(), {"os": os_name},
        it["armRegionName"], "hour", it["retailPrice"], AZURE_SRC,
        str(it.get("effectiveStartDate", ""))[:10], it.get("tierMinimumUnits", 0),
    )  # fmt: skip


_SQL_TIER = {"General Purpose": "GP", "Business Critical": "BC", "Hyperscale": "HS"}
# "SQL Database Single/Elastic Pool General Purpose - Compute Gen5", "... - Compute DC-Series"
_SQL_COMPUTE = re.compile(
    r"^SQL Database Single(?:DB)?/Elastic Pool (General Purpose|Business Critical|Hyperscale)"
    r" - Compute (Gen5|DC-Series)$"
)
_SQL_STORAGE = {
    "General Purpose Data Stored": ("sql_database_storage", "GP"),
    "General Purpose Zone Redundancy Data Stored": ("sql_database_storage", "GP_ZR"),
    "Business Critical Data Stored": ("sql_database_storage", "BC"),
}
_SQL_POOL = re.compile(r"^SQL Database Elastic Pool - (Basic|Standard|Premium)$")
_SQL_EXTRA_STORAGE = re.compile(r"^SQL Database (Standard|Premium) - Storage$")


def _azure_sql_row(it: dict[str, Any]) -> Row | None:
    """Azure SQL Database meters, licence not included (the Retail Prices API lists the SQL
    licence apart): vCore compute per vCore-hour (`GP_Gen5`, `BC_DC`, ...), General Purpose zone
    redundancy per vCore-hour, storage per GB-month (vCore tiers; extra storage of Standard and
    Premium DTU pools), and elastic-pool eDTU packs per day (`Standard_200`)."""
    product, meter = str(it.get("productName", "")), str(it.get("meterName", ""))
    sku, uom = str(it.get("skuName", "")), it.get("unitOfMeasure")
    key: tuple[str, str, str] | None = None
    if (m := _SQL_COMPUTE.match(product)) and uom == "1 Hour":
        family = "Gen5" if m.group(2) == "Gen5" else "DC"
        if meter == "vCore" and sku in ("1 vCore", "vCore"):
            key = ("sql_vcore_compute", f"{_SQL_TIER[m.group(1)]}_{family}", "vCore-hour")
        elif meter == "Zone Redundancy vCore" and sku == "1 vCore Zone Redundancy":
            key = ("sql_vcore_zone_redundancy", f"{_SQL_TIER[m.group(1)]}_{family}", "vCore-hour")
    elif meter in _SQL_STORAGE and uom == "1 GB/Month":
        key = (*_SQL_STORAGE[meter], "GB-month")
    elif (m := _SQL_EXTRA_STORAGE.match(product)) and meter == "Data Stored":
        key = ("sql_dtu_extra_storage", m.group(1), "GB-month")
    elif (m := _SQL_POOL.match(product)) and uom == "1/Day" and sku.endswith(" DTU Pack"):
        key = ("sql_elastic_pool_dtu", f"{m.group(1)}_{sku.split()[0]}", "day")
    if key is None:
        return None
    return _row(
        "azurerm", key[0], key[1], None, it["armRegionName"], key[2], it["retailPrice"],
        AZURE_SRC, str(it.get("effectiveStartDate", ""))[:10], it.get("tierMinimumUnits", 0),
    )  # fmt: skip


_LA_COMMITMENT = re.compile(r"^(\d+) GB Commitment Tier Capacity Reservation$")
_LA_METERS = {
    "Analytics Logs Data Ingestion": ("ingestion", "GB"),
    "Analytics Logs Data Retention": ("retention", "GB-month"),
}


def _azure_monitor_row(it: dict[str, Any]) -> Row | None:
    """Log Analytics commitment tiers (`CapacityReservation` workspaces), per day."""
    m = _LA_COMMITMENT.match(str(it.get("meterName", "")))
    if m is None or it.get("unitOfMeasure") != "1/Day":
        return None
    return _row(
        "azurerm", "log_analytics_commitment", m.group(1), None, it["armRegionName"], "day",
        it["retailPrice"], AZURE_SRC, str(it.get("effectiveStartDate", ""))[:10],
    )  # fmt: skip


def _log_analytics_row(it: dict[str, Any]) -> Row | None:
    """Pay-as-you-go (`PerGB2018`) Analytics Logs ingestion (tiered: the first GBs are free) and
    retention beyond the included days."""
    key = _LA_METERS.get(str(it.get("meterName", "")))
    if key is None:
        return None
    return _row(
        "azurerm", "log_analytics", key[0], None, it["armRegionName"], key[1], it["retailPrice"],
        AZURE_SRC, str(it.get("effectiveStartDate", ""))[:10], it.get("tierMinimumUnits", 0),
    )  # fmt: skip


def azure_retail_rows(paths: Iterable[Path]) -> Iterator[Row]:
    """Pay-as-you-go (`Consumption`) prices from Azure Retail Prices API pages: VMs (Spot and
    Low Priority meters skipped), App Service plans, Azure SQL Database and Log Analytics."""
    readers = {
        "Virtual Machines": _azure_vm_row,
        "Azure App Service": _azure_app_service_row,
        "SQL Database": _azure_sql_row,
        "Azure Monitor": _azure_monitor_row,
        "Log Analytics": _log_analytics_row,
    }
    for path in paths:
        doc = json.loads(_read_text(path))
        items = doc.get("Items") or doc.get("items") or []
        for it in items:
            reader = readers.get(str(it.get("serviceName")))
            if it.get("type") != "Consumption" or reader is None:
                continue
            row = reader(it)
            if row is not None:
                yield row


def gcp_rows(path: Path) -> Iterator[Row]:
    import yaml  # type: ignore[import-untyped]

    doc = yaml.load(_read_text(path), Loader=yaml.CSafeLoader)
    generated = dt.datetime.fromtimestamp(int(doc["about"]["timestamp"]), dt.UTC).date().isoformat()
    src = "Cyclenerd/google-cloud-pricing-cost-calculator pricing.yml"
    compute = doc["compute"]
    for machine, spec in compute["instance"].items():
        for region, cost in (spec.get("cost") or {}).items():
            if "hour" in cost:
                yield _row(
                    "google",
                    "compute_instance",
                    machine,
                    None,
                    region,
                    "hour",
                    cost["hour"],
                    src,
                    generated,
                )
    for name, spec in compute["storage"].items():
        disk = GCP_DISKS.get(name)
        if disk is None:
            continue
        for region, cost in (spec.get("cost") or {}).items():
            if "month" in cost:
                yield _row(
                    "google",
                    "compute_disk",
                    disk,
                    None,
                    region,
                    "GB-month",
                    cost["month"],
                    src,
                    generated,
                )
    for machine, spec in compute["instance"].items():
        for region, cost in (spec.get("cost") or {}).items():
            # `month` is Cyclenerd's full-month price: Google's sustained-use discount applied
            # where Google applies it (N1, N2, N2D, C2, M1/M2...); per hour over 730 hours.
            if "month" in cost:
                yield _row(
                    "google", "compute_instance_month", machine, None, region, "hour",
                    Decimal(str(cost["month"])) / 730, src, generated,
                )  # fmt: skip
            if "hour_spot" in cost:
                yield _row(
                    "google", "compute_instance_spot", machine, None, region, "hour",
                    cost["hour_spot"], src, generated,
                )  # fmt: skip
    for machine, spec in compute.get("license", {}).items():
        for os_name, cost in (spec.get("cost") or {}).items():
            if "hour" in cost:
                yield _row(
                    "google", "compute_license", machine, {"os": os_name}, "*", "hour",
                    cost["hour"], src, generated,
                )  # fmt: skip
    for region, cost in compute["network"].get("vpn", {}).get("tunnel", {}).get("cost", {}).items():
        if "hour" in cost:
            yield _row(
                "google", "vpn_tunnel", "tunnel", None, region, "hour", cost["hour"], src, generated
            )
    for use, spec in compute["network"]["ip"].items():
        for region, cost in spec["cost"].items():
            yield _row(
                "google", "compute_address", use, None, region, "hour", cost["hour"], src, generated
            )
    snapshot = compute["storage"].get("snapshot", {}).get("cost", {})
    for region, cost in snapshot.items():
        if "month" in cost:
            yield _row(
                "google",
                "compute_snapshot",
                "standard",
                None,
                region,
                "GB-month",
                cost["month"],
                src,
                generated,
            )
    # Cloud Storage classes: `standard`, `nearline`, ... (`-dual` / `-multi` for dual- and
    # multi-region buckets, whose locations are keyed by their location code).
    for cls, spec in doc.get("storage", {}).get("bucket", {}).items():
        for region, cost in (spec.get("cost") or {}).items():
            if "month" in cost:
                yield _row(
                    "google",
                    "gcs_storage",
                    cls,
                    None,
                    region,
                    "GB-month",
                    cost["month"],
                    src,
                    generated,
                )
    for region, cost in compute["network"]["nat"]["gateway"]["cost"].items():
        yield _row(
            "google", "cloud_nat", "gateway", None, region, "hour", cost["hour"], src, generated
        )
    for region, cost in compute["network"]["nat"]["data"]["cost"].items():
        yield _row("google", "cloud_nat", "data", None, region, "GB", cost["month"], src, generated)


def libcloud_rows(path: Path) -> Iterator[Row]:
    doc = json.loads(_read_text(path))
    updated = dt.datetime.fromtimestamp(int(doc.get("updated", 0)), dt.UTC).date().isoformat()
    src = "apache-libcloud libcloud/data/pricing.json"
    compute = doc["compute"]
    for key, os_name in EC2_OS.items():
        for itype, regions in compute.get(key, {}).items():
            if not isinstance(regions, dict):
                continue
            east = _same_price_east(regions)
            if east is not None:
                for region in US_EAST:
                    yield _row(
                        "aws", "ec2_instance", itype, {"os": os_name}, region, "hour", east,
                        f"{src} (lower of its us-east-1/us-east-2 entries)", updated,
                    )  # fmt: skip
            for region, price in regions.items():
                yield _row(
                    "aws",
                    "ec2_instance",
                    itype,
                    {"os": os_name},
                    region,
                    "hour",
                    price,
                    src,
                    updated,
                )
    # libcloud's older per-region EC2 tables (Linux on-demand) fill holes of `ec2_linux`
    # (it lists 0.0, "unknown", for ~140 types in us-east-1, among them m5.xlarge).
    for key, region in LIBCLOUD_EC2_LEGACY.items():
        for itype, price in compute.get(key, {}).items():
            if isinstance(price, int | float | str):
                yield _row(
                    "aws", "ec2_instance", itype, {"os": "linux"}, region, "hour", price,
                    f"{src} ({key})", updated,
                )  # fmt: skip
    # AWS lists US East (N. Virginia) and US East (Ohio) at the same on-demand EC2 prices; where
    # libcloud has only Ohio's, N. Virginia's is taken from it and says so in its source.
    for key, os_name in EC2_OS.items():
        for itype, regions in compute.get(key, {}).items():
            if isinstance(regions, dict) and regions.get("us-east-2"):
                yield _row(
                    "aws", "ec2_instance", itype, {"os": os_name}, "us-east-1", "hour",
                    regions["us-east-2"], f"{src} (us-east-2 price: same list price as us-east-1)",
                    updated,
                )  # fmt: skip
    for family, parts in compute.get("gce_instances", {}).items():
        for part, unit in (("cpu", "vCPU-hour"), ("ram", "GB-hour")):
            for region, p in (parts.get(part, {}).get("on_demand") or {}).items():
                yield _row(
                    "google",
                    f"gce_family_{part}",
                    family,
                    None,
                    region,
                    unit,
                    p["price"],
                    src,
                    updated,
                )
    for key, os_name in (("azure_linux", "linux"), ("azure_windows", "windows")):
        for size, regions in compute.get(key, {}).items():
            if size.startswith("spot") or not isinstance(regions, dict):
                continue
            if size.startswith("lowpriority"):  # `lowpriorityd2sv3` = Standard_D2s_v3
                for region, price in regions.items():
                    yield _row(
                        "azurerm", "vm_low_priority", azure_vm_key("standard" + size[11:]),
                        {"os": os_name}, region, "hour", price, src, updated,
                    )  # fmt: skip
                continue
            for region, price in regions.items():
                yield _row(
                    "azurerm",
                    "vm",
                    azure_vm_key(size),
                    {"os": os_name},
                    region,
                    "hour",
                    price,
                    src,
                    updated,
                )


US_EAST = ("us-east-1", "us-east-2")


def _same_price_east(regions: dict[str, Any]) -> Any:
    """AWS lists EC2 on-demand at one price in US East (N. Virginia) and US East (Ohio)
    (https://aws.amazon.com/ec2/pricing/on-demand/). libcloud's entry for one of the two
    sometimes carries another SKU's higher rate (t3.large us-east-1 0.0882 against 0.0832,
    c5.2xlarge us-east-2 0.361 against 0.34), so both get the lower of the two when both are
    known (non-zero); None otherwise."""
    try:
        a, b = (Decimal(str(regions.get(r) or 0)) for r in US_EAST)
    except InvalidOperation:
        return None
    return min(a, b) if a > 0 and b > 0 else None


def curated_rows(path: Path = CURATED) -> Iterator[Row]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if tuple(header) != COLUMNS:
            raise ValueError(f"{path}: header must be {','.join(COLUMNS)}")
        for n, row in enumerate(reader, start=2):
            if len(row) != len(COLUMNS):
                raise ValueError(f"{path}:{n}: expected {len(COLUMNS)} fields, got {len(row)}")
            try:
                Decimal(row[7])
                Decimal(row[6])
            except InvalidOperation:
                raise ValueError(f"{path}:{n}: price {row[7]!r} is not a decimal") from None
            yield row


def libcloud_default() -> Path | None:
    try:
        import libcloud
    except ImportError:
        return None
    p = Path(libcloud.__file__).parent / "data" / "pricing.json"
    return p if p.exists() else None


def build_catalog(
    out_dir: Path,
    *,
    libcloud: Path | None,
    gcp: Path | None,
    azure: list[Path],
    curated: Path = CURATED,
) -> BuildReport:
    """Merge the sources into `<out_dir>/<provider>.csv.gz`, written atomically."""
    report = BuildReport()
    seen: set[tuple[str, ...]] = set()
    tables: dict[str, list[Row]] = {p: [] for p in PROVIDERS}
    sources: list[tuple[str, Iterable[Row]]] = []
    if azure:
        sources.append(("azure_retail", azure_retail_rows(azure)))
    if gcp:
        sources.append(("gcp_pricing_yml", gcp_rows(gcp)))
    if libcloud:
        sources.append(("libcloud", libcloud_rows(libcloud)))
    sources.append(("curated", curated_rows(curated)))
    for name, rows in sources:
        for row in rows:
            if Decimal(row[7]) == 0 and name != "curated":
                report.dropped_zero[name] += 1
                continue
            key = (row[0], row[1], row[2].lower(), row[3], row[4], row[6])
            if key in seen:
                report.shadowed[name] += 1
                continue
            seen.add(key)
            tables[row[0]].append(row)
            report.rows[row[0]] += 1
            report.by_source[name] += 1
    out_dir.mkdir(parents=True, exist_ok=True)
    for provider, rows in tables.items():
        rows.sort(key=lambda r: (r[1], r[2].lower(), r[3], r[4], Decimal(r[6])))
        target = out_dir / f"{provider}.csv.gz"
        tmp = target.with_suffix(".tmp")
        # mtime=0: the same sources give byte-identical files (reviewable diffs, stable builds).
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            text = _csv_text([list(COLUMNS), *rows])
            gz.write(text.encode("utf-8"))
        os.replace(tmp, target)
    specs = ec2_spec_rows()
    if specs:
        (out_dir / "aws_instance_specs.csv").write_text(_csv_text(specs))
    (out_dir / "build_report.json").write_text(json.dumps(report.to_json(), indent=2) + "\n")
    return report


def ec2_spec_rows() -> list[Row]:
    """EC2 instance types' vCPUs and whether EBS optimization is built in (no hourly fee), from
    apache-libcloud's `ec2_instance_types` (AWS Price List attributes). RDS classes `db.X` use
    X's figures (RDS Extended Support bills per vCPU-hour)."""
    try:
        from libcloud.compute.constants.ec2_instance_types import INSTANCE_TYPES
    except ImportError:
        return []
    rows: list[Row] = [["instance_type", "vcpu", "ebs_optimized_by_default"]]
    for itype, spec in sorted(INSTANCE_TYPES.items()):
        extra: dict[str, Any] = dict(spec.get("extra") or {}) if isinstance(spec, dict) else {}
        vcpu = str(extra.get("vcpu", "")).strip()
        if not vcpu.isdigit():
            continue
        built_in = "dedicatedEbsThroughput" in extra
        rows.append([itype, vcpu, "true" if built_in else "false"])
    return rows


def _csv_text(rows: list[Row]) -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def fetch_sources(
    dest: Path,
    *,
    azure_regions: list[str],
    timeout: float = 60.0,
    libcloud_url: str = LIBCLOUD_URL,
    gcp_url: str = GCP_URL,
    azure_url: str = AZURE_URL,
    max_pages: int = 200,
    azure_services: tuple[str, ...] = AZURE_SERVICES,
) -> dict[str, Any]:
    """Download newer public price files into `dest` (the refresh path; needs a network).

    Azure pages follow `NextPageLink` until it is empty, filtered to the services' prices
    (`AZURE_SERVICES`) in the regions.
    """
    dest.mkdir(parents=True, exist_ok=True)
    got: dict[str, Any] = {}
    for name, url in (("pricing.json", libcloud_url), ("pricing.yml", gcp_url)):
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - public https
            (dest / name).write_bytes(resp.read())
        got[name] = str(dest / name)
    pages: list[str] = []
    for service, region in ((s, r) for s in azure_services for r in azure_regions):
        flt = f"serviceName eq '{service}' and armRegionName eq '{region}'"
        next_url: str | None = f"{azure_url}?$filter={urllib.parse.quote(flt)}"
        n = 0
        while next_url and n < max_pages:
            with urllib.request.urlopen(next_url, timeout=timeout) as resp:  # noqa: S310
                page = json.loads(resp.read().decode("utf-8"))
            # the file name keeps only [a-z0-9_] of the service and region: no path escapes
            slug = re.sub(r"[^a-z0-9]+", "_", f"{service}_{region}".lower())
            path = dest / f"azure_{slug}_{n:04d}.json"
            path.write_text(json.dumps({"items": page.get("Items", page.get("items", []))}))
            pages.append(str(path))
            next_url = page.get("NextPageLink")
            n += 1
    got["azure"] = pages
    return got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m iac_gate.catalog_build",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--out", type=Path, default=SHIPPED_DIR)
    ap.add_argument("--libcloud", type=Path, default=None, help="libcloud pricing.json")
    ap.add_argument("--gcp", type=Path, default=DEFAULT_GCP, help="Cyclenerd pricing.yml")
    ap.add_argument(
        "--azure",
        type=Path,
        nargs="*",
        default=None,
        help="Azure Retail Prices API JSON page(s) (default: sources/azure_retail_prices_*.json.gz)",
    )
    ap.add_argument(
        "--fetch",
        type=Path,
        default=None,
        help="download newer public files into this folder first (needs network)",
    )
    ap.add_argument("--azure-region", action="append", default=None)
    args = ap.parse_args(argv)
    libcloud, gcp = args.libcloud or libcloud_default(), args.gcp
    azure = list(args.azure) if args.azure is not None else default_azure_files()
    if args.fetch:
        got = fetch_sources(args.fetch, azure_regions=args.azure_region or ["eastus", "westeurope"])
        libcloud, gcp = Path(got["pricing.json"]), Path(got["pricing.yml"])
        azure = [Path(p) for p in got["azure"]]
    for label, p in (("libcloud", libcloud), ("gcp", gcp), *(("azure", a) for a in azure)):
        if p is None or not Path(p).exists():
            print(f"error: {label} price file not found: {p}", file=sys.stderr)
            return 2
    report = build_catalog(args.out, libcloud=libcloud, gcp=gcp, azure=azure)
    print(json.dumps(report.to_json(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
