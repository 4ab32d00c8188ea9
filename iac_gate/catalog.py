"""The offline price catalog: list prices as data, one gzip CSV per provider.

A row is one price: `provider, product, sku, attributes, region, unit, tier_start, price,
currency, source, effective_date`. `attributes` is a canonical `k=v;k=v` string (sorted keys),
`region` is the provider's region code or `*` for a price that is the same everywhere (EKS
control plane, public IPv4), `tier_start` is the monthly quantity a tiered price starts at.

The shipped catalog lives in `iac_gate/data/catalog/`; `SIBYL_PRICE_CATALOG` (or the
`catalog_dir` argument) points at a newer one built by `python -m iac_gate.catalog_build` or the
Dagster `gate/price_catalog` asset. Only the providers a plan uses are loaded.
"""

from __future__ import annotations

import csv
import gzip
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from iac_gate.errors import GateInputError

SHIPPED_DIR = Path(__file__).parent / "data" / "catalog"
COLUMNS = (
    "provider", "product", "sku", "attributes", "region", "unit", "tier_start", "price",
    "currency", "source", "effective_date",
)  # fmt: skip
PROVIDERS = ("aws", "google", "azurerm")


@dataclass(frozen=True)
class Price:
    provider: str
    product: str
    sku: str
    attributes: str
    region: str
    unit: str
    tier_start: Decimal
    price: Decimal
    currency: str
    source: str
    effective_date: str

    def cite(self) -> str:
        return f"{self.source} ({self.effective_date})"


def azure_vm_key(size: str) -> str:
    """`Standard_D2s_v3` and libcloud's `standardd2sv3` both become `standardd2sv3`."""
    return re.sub(r"[^a-z0-9]", "", size.lower())


def canonical_attrs(attrs: dict[str, str] | None) -> str:
    if not attrs:
        return ""
    return ";".join(f"{k}={attrs[k]}" for k in sorted(attrs))


Key = tuple[str, str, str, str]  # product, sku (lower), attributes, region


class PriceCatalog:
    """Point lookups of list prices. Loads a provider's file on first use."""

    def __init__(self, catalog_dir: str | Path | None = None) -> None:
        env = os.environ.get("SIBYL_PRICE_CATALOG")
        self.dir = Path(catalog_dir or env or SHIPPED_DIR)
        self._tables: dict[tuple[str, str, str], dict[Key, list[list[str]]]] = {}
        self._by_region: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._raw: dict[str, dict[str, list[str]]] = {}
        self._specs: dict[str, tuple[int, bool]] | None = None

    def _table(self, provider: str, product: str, region: str) -> dict[Key, list[list[str]]]:
        """Parsed rows of one product in one region (and its `*` rows): a plan needs a few
        products in a few regions out of ~150k prices, so only those lines are parsed."""
        table = self._tables.get((provider, product, region))
        if table is None:
            by_region = self._regions(provider, product)
            table = {}
            # The builder writes tiers in ascending order, so a key's list is already sorted.
            for row in csv.reader(by_region.get(region, []) + by_region.get("*", [])):
                table.setdefault((row[1], row[2].lower(), row[3], row[4]), []).append(row)
            self._tables[(provider, product, region)] = table
        return table

    def _regions(self, provider: str, product: str) -> dict[str, list[str]]:
        key = (provider, product)
        grouped = self._by_region.get(key)
        if grouped is None:
            grouped = {}
            for line in self._lines(provider).get(product, []):
                fields = line.split(",", 5) if '"' not in line else next(csv.reader([line]))
                grouped.setdefault(fields[4] if len(fields) > 4 else "", []).append(line)
            self._by_region[key] = grouped
        return grouped

    def _lines(self, provider: str) -> dict[str, list[str]]:
        """The provider file's lines grouped by product, parsed only when a product is used:
        a plan needs a handful of products out of ~150k prices."""
        grouped = self._raw.get(provider)
        if grouped is not None:
            return grouped
        path = self.dir / f"{provider}.csv.gz"
        if not path.exists():
            raise GateInputError(
                str(path),
                f"price catalog for {provider} not found "
                "(build it with `python -m iac_gate.catalog_build`)",
            )
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            text = fh.read()
        header, _, body = text.partition("\n")
        if tuple(next(csv.reader([header]), [])) != COLUMNS:
            raise GateInputError(str(path), f"not a price catalog: header {header[:80]!r}")
        grouped = {}
        start = len(provider) + 1
        for line in body.splitlines():
            if line:
                grouped.setdefault(line[start : line.find(",", start)], []).append(line)
        self._raw[provider] = grouped
        return grouped

    def tiers(
        self,
        provider: str,
        product: str,
        sku: str,
        region: str,
        attrs: dict[str, str] | None = None,
    ) -> list[Price]:
        """All tiers of one price, regional first, then the `*` (same everywhere) price."""
        table = self._table(provider, product, region)
        a = canonical_attrs(attrs)
        key_sku = sku.lower()
        rows = table.get((product, key_sku, a, region)) or table.get((product, key_sku, a, "*"))
        return [
            Price(
                r[0], r[1], r[2], r[3], r[4], r[5], Decimal(r[6]), Decimal(r[7]), r[8], r[9], r[10]
            )
            for r in rows or ()
        ]

    def price(
        self,
        provider: str,
        product: str,
        sku: str,
        region: str,
        attrs: dict[str, str] | None = None,
    ) -> Price | None:
        """The first-tier price, or None when the catalog has no such price."""
        found = self.tiers(provider, product, sku, region, attrs)
        return found[0] if found else None

    def instance_specs(self) -> dict[str, tuple[int, bool]]:
        """EC2 type -> (vCPUs, EBS optimization built in), from `aws_instance_specs.csv`."""
        if self._specs is None:
            self._specs = {}
            path = self.dir / "aws_instance_specs.csv"
            if path.exists():
                with open(path, encoding="utf-8", newline="") as fh:
                    reader = csv.reader(fh)
                    next(reader, None)
                    for row in reader:
                        if len(row) == 3 and row[1].isdigit():
                            self._specs[row[0]] = (int(row[1]), row[2] == "true")
        return self._specs

    def skus(self, provider: str, product: str) -> set[str]:
        return {
            k[1]
            for region in self._regions(provider, product)
            for k in self._table(provider, product, region)
        }
