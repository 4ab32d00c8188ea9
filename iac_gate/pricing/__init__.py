"""The cost model: each supported resource type priced as components, both sides of a change."""

from __future__ import annotations

import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

from iac_gate.catalog import PriceCatalog
from iac_gate.model import PricedResource, PricedSide, ResourceChange, Unknown
from iac_gate.pricing import aws, azure, gcp, network_storage, services
from iac_gate.pricing.base import PriceFn, Pricer, Side

PRICERS = {
    **aws.PRICERS,
    **gcp.PRICERS,
    **azure.PRICERS,
    **services.PRICERS,
    **network_storage.PRICERS,
}
FREE_LIST = Path(__file__).resolve().parent.parent / "data" / "free_resources.txt"


@cache
def _free_patterns() -> tuple[str, ...]:
    lines = FREE_LIST.read_text(encoding="utf-8").splitlines()
    return tuple(s.strip() for s in lines if s.strip() and not s.lstrip().startswith("#"))


def is_free(rtype: str) -> bool:
    return any(fnmatch.fnmatchcase(rtype, p) for p in _free_patterns())


def supported_types() -> list[str]:
    return sorted(PRICERS)


# Priced types that take no tags/labels of their own.
NOT_TAGGABLE = frozenset(
    {
        "google_compute_instance_group_manager",
        "google_container_node_pool",
        "google_sql_database_instance",
        "google_compute_region_instance_group_manager",
    }
)


def tags_of(change: ResourceChange) -> tuple[dict[str, str], bool]:
    """The resource's tags (AWS `tags_all` includes provider default_tags; Google `labels`) and
    whether the type is taggable at all (from the plan's schema when the attribute is there,
    else from the cost model: a .tf file simply omits unset tags)."""
    attrs = change.after if change.after is not None else change.before or {}
    if change.type == "aws_autoscaling_group":
        blocks = attrs.get("tag")
        tags = {
            str(b["key"]): str(b.get("value", ""))
            for b in blocks or []
            if isinstance(b, dict) and "key" in b
        }
        return tags, True
    for key in ("tags_all", "tags", "labels"):
        if key in attrs:
            v = attrs.get(key)
            if key == "tags" and change.provider == "google":
                continue  # network tags, not labels
            if isinstance(v, dict):
                return {str(k): str(x) for k, x in v.items() if not isinstance(x, Unknown)}, True
            if v is None or isinstance(v, Unknown):
                if key == "tags_all" and isinstance(attrs.get("tags"), dict):
                    continue
                return {}, True
    return {}, change.type in PRICERS and change.type not in NOT_TAGGABLE


class Index:
    """Resolves references between resources of one plan (launch templates, task definitions)."""

    def __init__(self, changes: list[ResourceChange]) -> None:
        self.by_address = {c.address: c for c in changes}
        self.referenced = {t for c in changes for t in c.refs.values()}
        self.knows_refs = bool(self.referenced)

    def used_by_others(self, change: ResourceChange) -> bool | None:
        """Whether another resource of the change references this one (None: cannot tell,
        the plan carries no references at all)."""
        if not self.knows_refs:
            return None
        base = change.address.split("[", 1)[0]
        return change.address in self.referenced or base in self.referenced

    def lookup(self, change: ResourceChange, path: str) -> dict[str, Any] | None:
        target = change.refs.get(path)
        if target is None:
            return None
        found = self.by_address.get(target) or self.by_address.get(f"{target}[0]")
        if found is None:
            return None
        return found.after if found.after is not None else found.before


def price_changes(
    changes: list[ResourceChange],
    catalog: PriceCatalog,
    usage: dict[str, dict[str, Any]] | None = None,
) -> list[PricedResource]:
    """Price every change. Never raises for a resource: problems become unpriced reasons."""
    pricer = Pricer(catalog)
    index = Index(changes)
    usage = usage or {}
    out: list[PricedResource] = []
    for ch in changes:
        tags, taggable = tags_of(ch)
        fn = PRICERS.get(ch.type)
        free = fn is None and is_free(ch.type)
        u = _usage_for(usage, ch.address)
        out.append(
            PricedResource(
                change=ch,
                tags=tags,
                taggable=taggable,
                free=free,
                before=_price_side(ch, ch.before, ch.region_before, fn, free, u, index, pricer),
                after=_price_side(ch, ch.after, ch.region_after, fn, free, u, index, pricer),
            )
        )
    return out


def _price_side(
    ch: ResourceChange,
    attrs: dict[str, Any] | None,
    region: str | None,
    fn: PriceFn | None,
    free: bool,
    usage: dict[str, Any],
    index: Index,
    pricer: Pricer,
) -> PricedSide | None:
    if attrs is None:
        return None
    if ch.unpriceable:
        return PricedSide(reasons=[ch.unpriceable])
    if free:
        return PricedSide()
    if fn is None:
        return PricedSide(reasons=[f"resource type `{ch.type}` is not in the cost model"])
    try:
        comps = fn(Side(ch, attrs, region, usage, index.lookup, index.used_by_others(ch)), pricer)
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError) as e:
        return PricedSide(reasons=[f"could not price {ch.type}: {type(e).__name__}: {e}"])
    reasons: list[str] = []
    for c in comps:
        counts = c.unpriced_reason and not (c.usage_based and c.quantity is None)
        if counts and c.unpriced_reason not in reasons:
            reasons.append(str(c.unpriced_reason))
    return PricedSide(comps, reasons)


def _usage_for(usage: dict[str, dict[str, Any]], address: str) -> dict[str, Any]:
    """Usage for an address: exact, else the address without its index (`aws_instance.web`
    covers `aws_instance.web[0]`), else a glob key (`aws_lambda_function.*`)."""
    if address in usage:
        return usage[address]
    base = address.split("[", 1)[0]
    if base in usage:
        return usage[base]
    for key, val in usage.items():
        if any(ch in key for ch in "*?[") and fnmatch.fnmatchcase(address, key):
            return val
    return {}
