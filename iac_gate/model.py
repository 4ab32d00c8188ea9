"""The gate's data model: resource changes in, priced resources and a report out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class Unknown:
    """A value Terraform only knows after apply (`after_unknown`), or an HCL expression we
    could not resolve. Carries why, so an unpriced reason can say it."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why

    def __repr__(self) -> str:
        return f"Unknown({self.why!r})"

    def __bool__(self) -> bool:
        return False


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


@dataclass(frozen=True)
class ResourceChange:
    """One managed resource instance and what the change does to it.

    `before` / `after` are attribute dicts (None when the side does not exist); unknown values
    are `Unknown` instances. `provider` is the short provider name (aws, google, azurerm).
    """

    address: str
    type: str
    name: str
    provider: str
    action: str  # create | update | delete | replace | no-op
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    region_before: str | None = None
    region_after: str | None = None
    region_reason: str | None = None  # why the region is unknown, when it is
    region_note: str | None = None  # a region assumed by default (shown as a notice)
    unpriceable: str | None = (
        None  # why this change cannot be priced at all (e.g. an unexpanded module)
    )
    module_address: str = ""
    source: str = ""  # file the resource came from
    # attribute path (e.g. `launch_template.id`) -> address of the resource it references
    refs: dict[str, str] = field(default_factory=dict)


@dataclass
class Component:
    """A priced line of a resource: e.g. `Instance usage (Linux, t3.micro)`, 730 hours × $0.0104.

    `quantity` is per month. Usage-priced components have `usage_based=True` and a None quantity
    unless a usage file gives one; they never count in `monthly_cost` without a quantity.
    """

    name: str
    unit: str
    quantity: Decimal | None
    unit_price: Decimal | None
    usage_based: bool = False
    price_source: str | None = None
    unpriced_reason: str | None = None

    @property
    def monthly_cost(self) -> Decimal | None:
        if self.quantity is None or self.unit_price is None:
            return None
        return self.quantity * self.unit_price

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "quantity": _num(self.quantity),
            "unit_price": _num(self.unit_price),
            "monthly_cost": _num(self.monthly_cost),
            "usage_based": self.usage_based,
            "price_source": self.price_source,
            "unpriced_reason": self.unpriced_reason,
        }


@dataclass
class PricedSide:
    """The cost of one side (before or after) of a resource change."""

    components: list[Component] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why it is not (fully) priced

    @property
    def priced(self) -> bool:
        return not self.reasons

    @property
    def status(self) -> str:
        """`priced` when every component that does not depend on usage is priced; `partial`
        when some are and some are not; `unpriced` when nothing could be priced."""
        if not self.reasons:
            return "priced"
        if any(c.monthly_cost is not None and not c.usage_based for c in self.components):
            return "partial"
        return "unpriced"

    def unpriced_components(self) -> list[dict[str, str]]:
        """The fixed-cost components (or, with none, the resource) that could not be priced."""
        out = [
            {"name": c.name, "reason": str(c.unpriced_reason)}
            for c in self.components
            if c.unpriced_reason and not (c.usage_based and c.quantity is None)
        ]
        listed = {o["reason"] for o in out}
        out += [{"name": "(resource)", "reason": r} for r in self.reasons if r not in listed]
        return out

    @property
    def monthly_cost(self) -> Decimal:
        total = Decimal(0)
        for c in self.components:
            if c.monthly_cost is not None:
                total += c.monthly_cost
        return total


@dataclass
class PricedResource:
    change: ResourceChange
    before: PricedSide | None
    after: PricedSide | None
    tags: dict[str, str] = field(default_factory=dict)
    taggable: bool = False
    free: bool = False  # a type with no charge of its own (security groups, launch templates…)

    @property
    def priced(self) -> bool:
        return all(s.priced for s in (self.before, self.after) if s is not None)

    @property
    def status(self) -> str:
        """priced | partial | unpriced (the worst side; a side with nothing priced next to a
        priced one makes the change partial)."""
        states = {s.status for s in (self.before, self.after) if s is not None}
        if not states or states == {"priced"}:
            return "priced"
        if states == {"unpriced"}:
            return "unpriced"
        return "partial"

    def unpriced_components(self) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for s in (self.after, self.before):
            if s is not None:
                out += [c for c in s.unpriced_components() if c not in out]
        return out

    @property
    def unpriced_reason(self) -> str | None:
        reasons: list[str] = []
        for s in (self.after, self.before):
            if s is not None:
                reasons.extend(r for r in s.reasons if r not in reasons)
        return "; ".join(reasons) or None

    @property
    def monthly_cost(self) -> Decimal:
        return self.after.monthly_cost if self.after is not None else Decimal(0)

    @property
    def monthly_cost_before(self) -> Decimal:
        return self.before.monthly_cost if self.before is not None else Decimal(0)

    @property
    def region(self) -> str | None:
        return self.change.region_after or self.change.region_before


@dataclass(frozen=True)
class Violation:
    policy_id: str
    kind: str
    action: str
    resource_address: str | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "kind": self.kind,
            "action": self.action,
            "resource_address": self.resource_address,
            "message": self.message,
        }


@dataclass
class Evaluation:
    decision: str = "pass"  # pass | warn | block
    violations: list[Violation] = field(default_factory=list)
    evaluated: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "violations": [v.to_json() for v in self.violations],
            "evaluated": self.evaluated,
            "skipped": self.skipped,
        }


def _num(d: Decimal | None) -> str | None:
    """Money and quantities go to JSON as decimal strings: exact, and no float rounding."""
    return None if d is None else format(d.normalize(), "f")


def money(d: Decimal) -> str:
    """Round half-up to the cent for display and JSON totals."""
    return format(d.quantize(Decimal("0.01")), "f")
