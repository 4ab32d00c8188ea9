"""Run the gate: read a plan (or .tf folder), price it, evaluate policies, build the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from iac_gate import REPORT_SCHEMA_VERSION
from iac_gate.budget import TeamBudgets
from iac_gate.catalog import PriceCatalog
from iac_gate.model import Evaluation, PricedResource, ResourceChange, money
from iac_gate.pricing import price_changes
from iac_gate.rates import EffectiveRates
from iac_gate.usage import load_usage


@dataclass
class GateResult:
    source: str
    environment: str | None
    resources: list[PricedResource]
    evaluation: Evaluation
    notices: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    rates: EffectiveRates | None = None

    def effective(self, r: PricedResource, before: bool = False) -> Decimal:
        """A resource's monthly cost at the organisation's effective rate (list without rates)."""
        cost = r.monthly_cost_before if before else r.monthly_cost
        if self.rates is None:
            return cost
        region = r.change.region_before if before else r.change.region_after
        return cost * self.rates.rate(r.change.provider, r.change.type, region).ratio

    @property
    def total_effective(self) -> Decimal:
        return sum((self.effective(r) for r in self.resources), Decimal(0))

    @property
    def total_effective_before(self) -> Decimal:
        return sum((self.effective(r, before=True) for r in self.resources), Decimal(0))

    @property
    def total_after(self) -> Decimal:
        return sum((r.monthly_cost for r in self.resources), Decimal(0))

    @property
    def total_before(self) -> Decimal:
        return sum((r.monthly_cost_before for r in self.resources), Decimal(0))

    @property
    def delta(self) -> Decimal:
        return self.total_after - self.total_before

    @property
    def unpriced(self) -> list[PricedResource]:
        """Resources not fully priced (status partial or unpriced)."""
        return [r for r in self.resources if not r.priced]

    def coverage(self) -> dict[str, int]:
        """How much of the change is priced: resources by status, and unpriced components."""
        counts = {"resources": len(self.resources), "priced": 0, "partial": 0, "unpriced": 0}
        for r in self.resources:
            counts[r.status] += 1
        counts["free"] = sum(1 for r in self.resources if r.free)
        counts["unpriced_components"] = sum(len(r.unpriced_components()) for r in self.unpriced)
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source": self.source,
            "environment": self.environment,
            "metadata": self.metadata,
            "currency": "USD",
            "hours_per_month": 730,
            "resources": [resource_json(r, self) for r in self.resources],
            "total_monthly_cost": money(self.total_after),
            "total_monthly_cost_before": money(self.total_before),
            "delta_monthly_cost": money(self.delta),
            "unpriced_resources": len(self.unpriced),
            "coverage": self.coverage(),
            "notices": self.notices,
            "policy": self.evaluation.to_json(),
            **(self._rates_json() if self.rates is not None else {}),
        }

    def _rates_json(self) -> dict[str, Any]:
        if self.rates is None:
            return {}
        return {
            "rates": self.rates.to_json(),
            "total_effective_monthly_cost": money(self.total_effective),
            "total_effective_monthly_cost_before": money(self.total_effective_before),
        }


def resource_json(r: PricedResource, result: GateResult | None = None) -> dict[str, Any]:
    ch = r.change
    main = r.after if r.after is not None else r.before
    extra: dict[str, Any] = {}
    if result is not None and result.rates is not None:
        rate = result.rates.rate(ch.provider, ch.type, r.region)
        extra = {
            "effective_rate": {"ratio": format(rate.ratio, "f"), "basis": rate.basis},
            "effective_monthly_cost": money(result.effective(r)) if ch.after is not None else None,
        }
    return {
        "address": ch.address,
        "type": ch.type,
        "provider": ch.provider,
        "region": r.region,
        "action": ch.action,
        "monthly_cost": money(r.monthly_cost) if ch.after is not None else None,
        "monthly_cost_before": money(r.monthly_cost_before) if ch.before is not None else None,
        "priced": r.priced,
        "status": r.status,
        "free": r.free,
        "unpriced_reason": r.unpriced_reason,
        "unpriced_components": r.unpriced_components(),
        "tags": r.tags,
        "components": [c.to_json() for c in main.components] if main is not None else [],
        "components_before": [c.to_json() for c in r.before.components]
        if r.before and r.after
        else [],
        **extra,
    }


def read_changes(
    path: str | Path,
    *,
    default_region: str | None = None,
    var_files: list[str] | None = None,
    variables: dict[str, str] | None = None,
    max_resources: int | None = None,
    root: str | Path | None = None,
) -> list[ResourceChange]:
    """A plan JSON file, or a folder of .tf files (no plan available). `max_resources` bounds
    the plan's resource changes or the folder's expansion (default 100,000); `root` is the
    folder .tf reads must stay in (default: the folder itself)."""
    from iac_gate.plan import MAX_RESOURCES

    limit = MAX_RESOURCES if max_resources is None else max_resources
    p = Path(path)
    if p.is_dir():
        from iac_gate.hcl import load_tf_dir

        return load_tf_dir(
            p,
            var_files=var_files or [],
            variables=variables or {},
            default_region=default_region,
            max_resources=limit,
            boundary=Path(root) if root else None,
        )
    from iac_gate.plan import load_plan

    return load_plan(p, default_region=default_region, max_resources=limit)


def run_gate(
    path: str | Path,
    *,
    environment: str | None = None,
    policies_path: str | Path | None = None,
    usage_path: str | Path | None = None,
    default_region: str | None = None,
    var_files: list[str] | None = None,
    variables: dict[str, str] | None = None,
    team: str | None = None,
    catalog: PriceCatalog | None = None,
    budgets: TeamBudgets | None = None,
    metadata: dict[str, Any] | None = None,
    max_resources: int | None = None,
    root: str | Path | None = None,
    rates: EffectiveRates | None = None,
) -> GateResult:
    changes = read_changes(
        path,
        default_region=default_region,
        var_files=var_files,
        variables=variables,
        max_resources=max_resources,
        root=root,
    )
    usage = load_usage(usage_path)
    resources = price_changes(changes, catalog or PriceCatalog(), usage)
    result = GateResult(
        str(path), environment, resources, Evaluation(), [], metadata or {}, rates=rates
    )
    if rates is not None:
        result.notices.append(
            f"effective rates from {rates.source} ({rates.window or 'no usage rows'}): "
            f"{money(result.total_effective)}/month at your rates vs "
            f"{money(result.total_after)} at list; policies use list prices"
        )
    if not changes:
        result.notices.append("the plan has no managed resource changes")
    for note in dict.fromkeys(c.region_note for c in changes if c.region_note):
        result.notices.append(note)
    if result.unpriced:
        cov = result.coverage()
        result.notices.append(
            f"{len(result.unpriced)} of {cov['resources']} resource(s) not fully priced "
            f"({cov['partial']} partial, {cov['unpriced']} unpriced; "
            f"{cov['unpriced_components']} component(s) without a price): "
            "totals count only what could be priced"
        )
    if policies_path:
        # pydantic and the policy models load only when there are policies (CLI start-up).
        from iac_gate.policy import evaluate, load_policies

        policies = load_policies(policies_path)
        if budgets is None and any(p.kind == "team_budget" for p in policies):
            budgets = TeamBudgets()
        result.evaluation = evaluate(
            policies,
            resources,
            environment=environment,
            total_after=result.total_after,
            delta=result.delta,
            team_budgets=budgets,
            team=team,
        )
        if budgets is not None:  # a team budget policy skipped for want of the mart says so
            result.notices.extend(
                s["reason"] for s in result.evaluation.skipped if s["reason"] == budgets.notice
            )
    return result
