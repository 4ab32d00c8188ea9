"""Your actual rates: the effective / list cost ratio the organisation pays, from its own bills.

`sibyl gate --rates warehouse --marts-dir DIR` reads the published daily cost mart
(`DIR/fct_daily_costs.parquet`, DIR a local folder or the marts' bucket URL, s3:// gs:// abfs://,
read through the project's fsspec filesystems: ingest/duckdb_fs.py; `charge_date, provider, service_category, region_id,
charge_category, billing_currency, effective_cost, list_cost`, one row per day × provider ×
account × service × region × team; never the DuckDB warehouse a run may hold) and computes, over
the last `window_days` of usage charges in USD, `sum(effective_cost) / sum(list_cost)` per
provider × FOCUS service category × region, per provider × category, and per provider. A
resource's list price is multiplied by the most specific ratio that has at least
`min_list_cost` of list cost behind it; with none, its rate is the list price (ratio 1, said).
Commitments, negotiated discounts and credits in `effective_cost` are what the ratio carries.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from iac_gate.errors import GateInputError

GATE_TO_FOCUS_PROVIDER = {"aws": "aws", "google": "gcp", "azurerm": "azure"}
CATEGORIES = Path(__file__).parent / "data" / "service_categories.csv"
REQUIRED = (
    "charge_date", "provider", "service_category", "region_id", "charge_category",
    "billing_currency", "effective_cost", "list_cost",
)  # fmt: skip


@cache
def _category_patterns() -> tuple[tuple[str, str], ...]:
    out = []
    for line in CATEGORIES.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            pattern, category = line.split(",", 1)
            out.append((pattern.strip(), category.strip()))
    return tuple(out)


def service_category(rtype: str) -> str:
    """The FOCUS ServiceCategory a Terraform resource type bills under (`Other` if unknown)."""
    for pattern, category in _category_patterns():
        if fnmatch.fnmatchcase(rtype, pattern):
            return category
    return "Other"


@dataclass(frozen=True)
class Rate:
    ratio: Decimal
    basis: str  # which slice of the bills decided it, e.g. "aws/Compute/us-east-1"


@dataclass
class EffectiveRates:
    source: str
    window: str = ""
    ratios: dict[tuple[str, ...], tuple[Decimal, Decimal]] = field(default_factory=dict)

    def rate(self, provider: str, rtype: str, region: str | None) -> Rate:
        p = GATE_TO_FOCUS_PROVIDER.get(provider, provider)
        cat = service_category(rtype)
        for key in ((p, cat, region or ""), (p, cat), (p,)):
            found = self.ratios.get(key)
            if found is not None:
                return Rate(found[0], "/".join(k for k in key if k))
        return Rate(Decimal(1), "no bills for this provider: list price")

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "window": self.window,
            "ratios": [
                {"slice": "/".join(k), "ratio": format(v[0], "f"), "list_cost": format(v[1], "f")}
                for k, v in sorted(self.ratios.items())
            ],
        }


def load_rates(
    marts_dir: str | Path, *, window_days: int = 90, min_list_cost: Decimal = Decimal(100)
) -> EffectiveRates:
    """Effective/list ratios from `marts_dir/fct_daily_costs.parquet` (`marts_dir` a local folder or
    a bucket URL); exit 2 when it is missing or its store cannot be read."""
    from ingest import duckdb_fs
    from ingest import fs as lakefs

    root = str(marts_dir)
    path = lakefs.join(root, "fct_daily_costs.parquet")
    shown = lakefs.redact(path)
    try:
        found = lakefs.exists(path)
    except Exception as exc:  # noqa: BLE001 - a store's error may quote an endpoint: its type only
        raise GateInputError(
            shown, f"cannot reach the marts' store: {type(exc).__name__}"
        ) from None
    if not found:
        raise GateInputError(
            shown, "--rates warehouse needs the published daily cost mart (run the pipeline)"
        )
    try:
        con = duckdb_fs.connect(root)
    except lakefs.RootError as exc:
        raise GateInputError(shown, str(exc)) from None
    try:
        cols = {
            r[0]
            for r in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
        }
        missing = [c for c in REQUIRED if c not in cols]
        if missing:
            raise GateInputError(shown, f"lacks columns {', '.join(missing)}")
        rows = con.execute(
            """
            with usage as (
                -- a null category or region is the slice '' (what rate() looks up for a resource
                -- without a region), never a null that would read as the coarser slice's key
                select provider, coalesce(service_category, '') as service_category,
                       coalesce(region_id, '') as region_id, effective_cost, list_cost, charge_date
                from read_parquet(?)
                where charge_category = 'Usage' and billing_currency = 'USD'
            ),
            recent as (
                select * from usage
                where charge_date > (select max(charge_date) from usage) - to_days(?)
            )
            select provider, service_category, region_id,
                   sum(effective_cost)::varchar, sum(list_cost)::varchar,
                   min(charge_date)::varchar, max(charge_date)::varchar
            from recent
            group by grouping sets ((provider, service_category, region_id),
                                    (provider, service_category), (provider))
            """,
            [str(path), window_days],
        ).fetchall()
    finally:
        con.close()
    rates = EffectiveRates(shown)
    first, last = "", ""
    for prov, cat, region, eff, lst, lo, hi in rows:
        eff_d, list_d = Decimal(eff or 0), Decimal(lst or 0)
        if list_d < min_list_cost or eff_d < 0:
            continue
        key = tuple(k for k in (prov, cat, region) if k is not None)
        rates.ratios[key] = ((eff_d / list_d).quantize(Decimal("0.0001")), list_d)
        first = min(first or lo, lo)
        last = max(last, hi)
    rates.window = f"{first} .. {last}" if first else ""
    return rates
