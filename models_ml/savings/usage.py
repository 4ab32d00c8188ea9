"""Usage optimization: rightsizing, idle resources and modernisation, with $ per month.

Inputs are plain values the Dagster asset reads from the marts and the metrics lake: one
``ResourceUsage`` per resource (its last-30-day cost from ``fct_charges``, its type, and its metric
points). Prices of a smaller or newer type come from the IaC gate's offline price catalog
(``iac_gate.catalog.PriceCatalog``), never from literals here. Money is Decimal, USD per month
(730 hours).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

HOURS_PER_MONTH = Decimal(730)
ZERO = Decimal(0)

# AWS families of an older generation and the current family that replaces them (same shape).
PREVIOUS_GENERATION = {
    "t2": "t3", "m3": "m5", "m4": "m5", "c3": "c5", "c4": "c5", "r3": "r5", "r4": "r5",
    "i2": "i3", "d2": "d3", "x1": "x2idn", "p2": "p3", "g3": "g4dn",
}  # fmt: skip
AWS_SIZES = (
    "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge",
    "6xlarge", "8xlarge", "9xlarge", "10xlarge", "12xlarge", "16xlarge", "18xlarge", "24xlarge",
    "32xlarge", "48xlarge",
)  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds; defaults follow AWS Compute Optimizer. Loaded from seed CSV as data."""

    lookback_days: int = 14
    min_days_with_data: int = 12
    cpu_percentile: float = 99.5
    headroom_pct: float = 20.0
    idle_cpu_pct: float = 2.0
    idle_network_bytes_per_day: float = 5_000_000
    oversized_cpu_pct: float = 40.0
    min_monthly_savings: Decimal = Decimal(5)
    large_opportunity_monthly: Decimal = Decimal(500)

    @classmethod
    def from_csv(cls, path: str | Path) -> Thresholds:
        """Read ``threshold_id,value`` rows; unknown ids and bad numbers are errors naming them."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                key = (row.get("threshold_id") or "").strip()
                if key not in known:
                    raise ValueError(f"{path}: unknown threshold {key[:40]!r}")
                raw = (row.get("value") or "").strip()
                try:
                    typ = known[key].type
                    values[key] = (
                        int(raw)
                        if typ == "int"
                        else Decimal(raw)
                        if typ == "Decimal"
                        else float(raw)
                    )
                except (ValueError, ArithmeticError) as exc:
                    raise ValueError(f"{path}: threshold {key} is not a number") from exc
                if values[key] < 0:
                    raise ValueError(f"{path}: threshold {key} cannot be negative")
        return cls(**values)


@dataclass(frozen=True)
class ResourceUsage:
    provider: str
    resource_id: str
    team_id: str
    region: str | None
    service_category: str | None
    resource_kind: str  # instance | database | volume | ip | load_balancer | nat_gateway | app_service_plan | other
    resource_type: str | None  # m5.2xlarge, db.m5.large, gp2, Standard_D8s_v3, ...
    monthly_cost: Decimal  # last 30 days of effective cost
    size_gb: Decimal | None = None
    metrics: dict[str, list[tuple[dt.datetime, float]]] = field(default_factory=dict)
    usage_hints: tuple[str, ...] = ()  # e.g. sku meters ("PublicIPv4:IdleAddress")


@dataclass(frozen=True)
class Opportunity:
    opportunity_id: str
    provider: str
    resource_id: str
    team_id: str
    kind: str  # rightsize | idle | modernize | purchase
    title: str
    monthly_savings: Decimal
    confidence: float
    evidence: dict[str, Any]

    def evidence_json(self) -> str:
        return json.dumps(self.evidence, sort_keys=True, default=str)


class Prices(Protocol):
    def price(
        self,
        provider: str,
        product: str,
        sku: str,
        region: str,
        attrs: dict[str, str] | None = None,
    ) -> Any: ...

    def instance_specs(self) -> dict[str, tuple[int, bool]]: ...


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), q in [0, 100]."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be in [0, 100]")
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def window(
    points: Sequence[tuple[dt.datetime, float]], as_of: dt.datetime, days: int
) -> list[tuple[dt.datetime, float]]:
    start = as_of - dt.timedelta(days=days)
    return [(t, v) for t, v in points if start < t <= as_of]


def days_with_data(points: Sequence[tuple[dt.datetime, float]]) -> int:
    return len({t.date() for t, _ in points})


def opportunity_id(kind: str, provider: str, resource_id: str) -> str:
    """Stable across runs, so a person's status on an opportunity survives re-detection."""
    return hashlib.sha256(f"{kind}|{provider}|{resource_id}".encode()).hexdigest()[:16]


# -- instance types -------------------------------------------------------------------------------


def aws_family_size(instance_type: str) -> tuple[str, str, str] | None:
    """``db.m5.2xlarge`` -> (``db.``, ``m5``, ``2xlarge``); ``m5.large`` -> ('', 'm5', 'large')."""
    m = re.fullmatch(r"(db\.|cache\.)?([a-z0-9-]+)\.([a-z0-9]+)", instance_type.strip().lower())
    return (m.group(1) or "", m.group(2), m.group(3)) if m else None


def smaller_aws_type(
    instance_type: str, needed_vcpus: float, specs: dict[str, tuple[int, bool]]
) -> str | None:
    """The smallest type of the same family with at least ``needed_vcpus`` vCPUs (specs from the
    catalog's instance table), or None when nothing smaller fits."""
    parsed = aws_family_size(instance_type)
    if not parsed:
        return None
    prefix, family, size = parsed
    base = f"{family}.{size}"
    if base not in specs or size not in AWS_SIZES:
        return None
    current = specs[base][0]
    for candidate in AWS_SIZES[: AWS_SIZES.index(size)]:
        t = f"{family}.{candidate}"
        if t in specs and specs[t][0] >= max(needed_vcpus, 1) and specs[t][0] < current:
            return prefix + t
    return None


def _hourly(
    prices: Prices, provider: str, resource_kind: str, type_: str, region: str
) -> Decimal | None:
    if provider == "aws" and resource_kind == "instance":
        p = prices.price("aws", "ec2_instance", type_, region, {"os": "linux"})
    elif provider == "aws" and resource_kind == "database":
        p = prices.price(
            "aws", "rds_instance", type_, region, {"deployment": "single-az", "engine": "postgres"}
        )
    else:
        return None
    return p.price if p is not None else None


# -- detection ------------------------------------------------------------------------------------


def _metric(r: ResourceUsage, name: str, as_of: dt.datetime, t: Thresholds) -> list[float] | None:
    pts = window(r.metrics.get(name, []), as_of, t.lookback_days)
    if days_with_data(pts) < t.min_days_with_data:
        return None
    return [v for _, v in pts]


def assess(
    r: ResourceUsage, as_of: dt.datetime, prices: Prices, t: Thresholds
) -> list[Opportunity]:
    """Every opportunity for one resource (at most one per kind)."""
    out: list[Opportunity] = []
    cpu = _metric(r, "cpu_utilization", as_of, t)
    net_in = _metric(r, "network_in_bytes", as_of, t) or []
    net_out = _metric(r, "network_out_bytes", as_of, t) or []
    mem = _metric(r, "memory_utilization", as_of, t)

    def add(
        kind: str, title: str, saving: Decimal, confidence: float, evidence: dict[str, Any]
    ) -> None:
        saving = saving.quantize(Decimal("0.01"))
        if saving >= t.min_monthly_savings:
            out.append(Opportunity(opportunity_id(kind, r.provider, r.resource_id), r.provider, r.resource_id,
                                   r.team_id, kind, title, saving, round(confidence, 2), evidence))  # fmt: skip

    idle = False
    if r.resource_kind in ("instance", "database", "app_service_plan") and cpu is not None:
        p_cpu = percentile(cpu, t.cpu_percentile)
        days = t.lookback_days
        net_per_day = (sum(net_in) + sum(net_out)) / days
        if p_cpu < t.idle_cpu_pct and net_per_day < t.idle_network_bytes_per_day:
            idle = True
            add("idle", f"Idle {r.resource_kind} {r.resource_type or ''}: stop or delete".strip(), r.monthly_cost, 0.9,
                {"cpu_percentile": t.cpu_percentile, "cpu_p": round(p_cpu, 3), "network_bytes_per_day": round(net_per_day),
                 "lookback_days": days, "days_with_data": days_with_data(window(r.metrics["cpu_utilization"], as_of, days)),
                 "monthly_cost": str(r.monthly_cost)})  # fmt: skip
        elif r.resource_type and r.region and r.provider == "aws":
            need = p_cpu * (1 + t.headroom_pct / 100)
            if mem is not None:
                need = max(need, percentile(mem, t.cpu_percentile) * (1 + t.headroom_pct / 100))
            if need < t.oversized_cpu_pct:
                _rightsize(r, need, prices, add, 0.8 if mem is not None else 0.6)
    if r.resource_kind in ("load_balancer", "nat_gateway"):
        traffic = (_metric(r, "request_count", as_of, t) or []) + (
            _metric(r, "connection_count", as_of, t) or []
        )
        bytes_ = (_metric(r, "network_out_bytes", as_of, t) or []) + (
            _metric(r, "network_bytes", as_of, t) or []
        )
        if (traffic or bytes_) and sum(traffic) == 0 and sum(bytes_) < t.idle_network_bytes_per_day:
            idle = True
            add("idle", f"Idle {r.resource_kind.replace('_', ' ')}: no traffic in {t.lookback_days} days", r.monthly_cost,
                0.85, {"requests": sum(traffic), "bytes": sum(bytes_), "lookback_days": t.lookback_days})  # fmt: skip
    if r.resource_kind == "volume":
        ops = (_metric(r, "disk_read_ops", as_of, t) or []) + (
            _metric(r, "disk_write_ops", as_of, t) or []
        )
        if ops and sum(ops) == 0:
            idle = True
            add("idle", "Unused volume: no reads or writes (unattached?) — snapshot and delete", r.monthly_cost, 0.8,
                {"read_write_ops": 0, "lookback_days": t.lookback_days})  # fmt: skip
    if r.resource_kind == "ip" and any("idleaddress" in h.lower() for h in r.usage_hints):
        idle = True
        add(
            "idle",
            "Unattached public IP address: release it",
            r.monthly_cost,
            0.95,
            {"usage": list(r.usage_hints)},
        )
    if not idle:
        _modernize(r, prices, add)
    return out


def _rightsize(
    r: ResourceUsage, need_pct: float, prices: Prices, add: Any, confidence: float
) -> None:
    """Confidence is lower when no memory metric was seen: the smaller type has less memory too."""
    if not r.resource_type or not r.region:
        return
    specs = prices.instance_specs()
    parsed = aws_family_size(r.resource_type)
    if not parsed:
        return
    base = f"{parsed[1]}.{parsed[2]}"
    if base not in specs:
        return
    vcpus = specs[base][0]
    needed = vcpus * need_pct / 100
    target = smaller_aws_type(r.resource_type, needed, specs)
    if not target:
        return
    now_h = _hourly(prices, r.provider, r.resource_kind, r.resource_type, r.region)
    new_h = _hourly(prices, r.provider, r.resource_kind, target, r.region)
    if now_h is None or new_h is None or new_h >= now_h:
        return
    # the observed cost scaled by the list-price ratio keeps discounts the resource already gets
    saving = r.monthly_cost * (1 - new_h / now_h)
    add("rightsize", f"Downsize {r.resource_type} to {target}", saving, confidence,
        {"current_type": r.resource_type, "target_type": target, "vcpus": vcpus, "needed_vcpus": round(needed, 2),
         "cpu_need_pct_with_headroom": round(need_pct, 2), "list_price_per_hour": {r.resource_type: str(now_h), target: str(new_h)},
         "price_source": "iac_gate offline price catalog", "monthly_cost": str(r.monthly_cost)})  # fmt: skip


def _modernize(r: ResourceUsage, prices: Prices, add: Any) -> None:
    if r.provider != "aws" or not r.resource_type or not r.region:
        return
    if r.resource_kind == "volume" and r.resource_type.lower() == "gp2":
        gp2 = prices.price("aws", "ebs_volume", "gp2", r.region)
        gp3 = prices.price("aws", "ebs_volume", "gp3", r.region)
        if gp2 and gp3 and gp3.price < gp2.price:
            add("modernize", "Move gp2 volume to gp3 (same size, baseline 3,000 IOPS)", r.monthly_cost * (1 - gp3.price / gp2.price),
                0.9, {"from": "gp2", "to": "gp3", "price_per_gb_month": {"gp2": str(gp2.price), "gp3": str(gp3.price)},
                      "price_source": gp3.cite(), "monthly_cost": str(r.monthly_cost)})  # fmt: skip
        return
    if r.resource_kind in ("instance", "database"):
        parsed = aws_family_size(r.resource_type)
        if not parsed or parsed[1] not in PREVIOUS_GENERATION:
            return
        target = f"{parsed[0]}{PREVIOUS_GENERATION[parsed[1]]}.{parsed[2]}"
        now_h = _hourly(prices, r.provider, r.resource_kind, r.resource_type, r.region)
        new_h = _hourly(prices, r.provider, r.resource_kind, target, r.region)
        if now_h and new_h and new_h < now_h:
            add("modernize", f"Previous generation {r.resource_type}: move to {target}", r.monthly_cost * (1 - new_h / now_h), 0.75,
                {"current_type": r.resource_type, "target_type": target,
                 "list_price_per_hour": {r.resource_type: str(now_h), target: str(new_h)}, "price_source": "iac_gate offline price catalog"})  # fmt: skip


def find_opportunities(
    resources: Sequence[ResourceUsage],
    as_of: dt.datetime,
    prices: Prices,
    thresholds: Thresholds | None = None,
) -> list[Opportunity]:
    """All opportunities, largest monthly savings first."""
    t = thresholds or Thresholds()
    found = [o for r in resources for o in assess(r, as_of, prices, t)]
    return sorted(found, key=lambda o: (-o.monthly_savings, o.opportunity_id))
