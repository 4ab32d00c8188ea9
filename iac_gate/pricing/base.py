"""What every resource pricer uses: attribute access that knows about unknowns, and component
builders that look prices up in the catalog and say why when they cannot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from iac_gate import HOURS_PER_MONTH
from iac_gate.catalog import PriceCatalog, canonical_attrs
from iac_gate.errors import GateInputError
from iac_gate.model import Component, ResourceChange, Unknown

HOURS = Decimal(HOURS_PER_MONTH)
MAX_QUANTITY = Decimal(10) ** 12  # no size, count or rate a provider accepts comes near this


@dataclass
class Side:
    """One side (before or after) of a resource change, as the pricer sees it."""

    change: ResourceChange
    attrs: dict[str, Any]
    region: str | None
    usage: dict[str, Any] = field(default_factory=dict)
    lookup: Callable[[ResourceChange, str], dict[str, Any] | None] = lambda _c, _p: None
    used: bool | None = None  # referenced by another resource of the change (None: unknown)

    @property
    def provider(self) -> str:
        return self.change.provider

    def sub(self, attrs: dict[str, Any]) -> Side:
        """A nested block (or a referenced resource) priced in this resource's context."""
        return Side(self.change, attrs, self.region, self.usage, self.lookup, self.used)

    def get(self, *path: str | int, default: Any = None) -> Any:
        cur: Any = self.attrs
        for p in path:
            if isinstance(cur, Unknown):
                return cur
            if isinstance(p, int):
                cur = cur[p] if isinstance(cur, list) and len(cur) > p else None
            elif isinstance(cur, dict):
                cur = cur.get(p)
            elif isinstance(cur, list) and cur and isinstance(cur[0], dict):
                cur = cur[0].get(p)  # a nested block given as a one-element list
            else:
                cur = None
            if cur is None:
                return default
        return cur

    def blocks(self, *path: str) -> list[dict[str, Any]]:
        v = self.get(*path)
        if isinstance(v, dict):
            return [v]
        return [b for b in v if isinstance(b, dict)] if isinstance(v, list) else []

    def text(self, *path: str, default: str | None = None) -> str | Unknown | None:
        v = self.get(*path)
        if v is None:
            return default
        if isinstance(v, Unknown):
            return v
        return str(v)

    def number(self, *path: str, default: Decimal | int | None = None) -> Decimal | Unknown | None:
        v = self.get(*path)
        if v is None:
            return None if default is None else Decimal(default)
        if isinstance(v, Unknown):
            return v
        if isinstance(v, bool):
            return Decimal(int(v))
        try:
            d = Decimal(str(v))
        except InvalidOperation:
            return Unknown(f"`{'.'.join(map(str, path))}` is not a number: {str(v)[:40]!r}")
        return self._checked(d, path)

    def _checked(self, d: Decimal, path: tuple[str | int, ...]) -> Decimal:
        """Sizes, counts and quantities are never negative, infinite or absurd: a negative size
        would price a volume below zero and turn a block into a pass (exit 2, named)."""
        where = f"{self.change.address}: `{'.'.join(map(str, path))}`"
        if not d.is_finite():
            raise GateInputError(self.change.source, f"{where} is not a finite number")
        if d < 0:
            raise GateInputError(self.change.source, f"{where} is negative ({d})")
        if d > MAX_QUANTITY:
            raise GateInputError(
                self.change.source, f"{where} is {d:.3g}, beyond any provider's limit"
            )
        return d

    def flag(self, *path: str) -> bool:
        v = self.get(*path)
        return v is True or (isinstance(v, str) and v.lower() == "true")

    def related(self, path: str) -> dict[str, Any] | None:
        """Attributes of the resource this one references at `path` (e.g. a launch template)."""
        return self.lookup(self.change, path)


class Pricer:
    def __init__(self, catalog: PriceCatalog) -> None:
        self.catalog = catalog

    def _where(self, side: Side, product: str, sku: str, attrs: dict[str, str] | None) -> str:
        a = canonical_attrs(attrs)
        return (
            f"no list price in the catalog for {side.provider} {product} `{sku}`"
            f"{f' ({a})' if a else ''} in {side.region}"
        )

    def component(
        self,
        side: Side,
        name: str,
        product: str,
        sku: str | Unknown | None,
        quantity: Decimal | Unknown | None,
        *,
        attrs: dict[str, str] | None = None,
        per_hour: bool = False,
        usage_key: str | None = None,
    ) -> Component:
        """A component priced from the catalog.

        `per_hour`: `quantity` is a count (instances, nodes) billed per hour; the component's
        quantity becomes count × 730 hours. `usage_key`: a usage-priced component whose monthly
        quantity comes from the usage file under that key, else stays unknown.
        """
        if isinstance(sku, Unknown) or sku is None:
            why = sku.why if isinstance(sku, Unknown) else f"{name}: no SKU in the configuration"
            return Component(
                name, "", None, None, usage_based=usage_key is not None, unpriced_reason=why
            )
        if side.region is None:
            return Component(
                name,
                "",
                None,
                None,
                usage_based=usage_key is not None,
                unpriced_reason=side.change.region_reason or "region unknown",
            )
        price = self.catalog.price(side.provider, product, sku, side.region, attrs)
        usage_based = usage_key is not None
        if usage_key is not None:
            u = side.usage.get(usage_key)
            quantity = Decimal(str(u)) if u is not None else None
        unit = price.unit if price else ""
        if price is None:
            return Component(
                name,
                unit,
                _q(quantity, per_hour),
                None,
                usage_based=usage_based,
                unpriced_reason=self._where(side, product, sku, attrs),
            )
        if isinstance(quantity, Unknown):
            return Component(
                name,
                unit,
                None,
                price.price,
                usage_based=usage_based,
                price_source=price.cite(),
                unpriced_reason=quantity.why,
            )
        if quantity is None and not usage_based:
            return Component(
                name,
                unit,
                None,
                price.price,
                price_source=price.cite(),
                unpriced_reason=f"{name}: the configuration does not set its size",
            )
        return Component(
            name,
            unit,
            _q(quantity, per_hour),
            price.price,
            usage_based=usage_based,
            price_source=price.cite(),
        )

    def tiered(
        self,
        side: Side,
        name: str,
        product: str,
        sku: str,
        quantity: Decimal | Unknown,
        *,
        attrs: dict[str, str] | None = None,
    ) -> list[Component]:
        """A tiered monthly price (e.g. io2 IOPS): one component per tier the quantity reaches."""
        if isinstance(quantity, Unknown) or side.region is None:
            return [self.component(side, name, product, sku, quantity, attrs=attrs)]
        tiers = self.catalog.tiers(side.provider, product, sku, side.region, attrs)
        if not tiers:
            return [self.component(side, name, product, sku, quantity, attrs=attrs)]
        out = []
        for i, t in enumerate(tiers):
            upper = tiers[i + 1].tier_start if i + 1 < len(tiers) else None
            in_tier = (min(quantity, upper) if upper is not None else quantity) - t.tier_start
            if in_tier <= 0:
                break
            label = name if len(tiers) == 1 else f"{name} ({t.tier_start:,}+)"
            out.append(Component(label, t.unit, in_tier, t.price, price_source=t.cite()))
        return out


def _q(quantity: Decimal | Unknown | None, per_hour: bool) -> Decimal | None:
    if quantity is None or isinstance(quantity, Unknown):
        return None
    return quantity * HOURS if per_hour else quantity


def missing(name: str, why: str) -> Component:
    return Component(name, "", None, None, unpriced_reason=why)


PriceFn = Callable[[Side, Pricer], list[Component]]
