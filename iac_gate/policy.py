"""Cost policies as YAML, validated with clear errors, evaluated against a priced plan.

A policy file (`*.yml` / `*.yaml` in the policies folder):

    version: 1
    policies:
      - id: prod-budget
        kind: monthly_budget          # total after the change, and this change's increase
        environments: [prod]          # optional: only when `--env` is one of these
        max_total: 20000
        max_increase: 1000
        action: block                 # block | warn | advisory
      - {id: no-metal, kind: instance_sizes, deny: ["*.metal", "*.24xlarge"], action: block}
      - {id: regions, kind: allowed_regions, regions: [us-east-1, eu-west-1], action: warn}
      - {id: tags, kind: required_tags, tags: [team, env], action: warn}
      - {id: big, kind: max_resource_cost, max_monthly_cost: 2000, action: warn}
      - {id: team-budget, kind: team_budget, team_tag: team, action: warn}

Kinds: `monthly_budget`, `instance_sizes` (allow/deny globs on the size attribute: instance type,
DB class, node type, machine type, VM size, SKU; `families` globs on the family, e.g. `p4*`),
`allowed_regions`, `required_tags`, `max_resource_cost`, and `team_budget` (the team's
remaining monthly budget from the warehouse's budget mart; skipped with a notice when there is
no such mart).
"""

from __future__ import annotations

import fnmatch
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from iac_gate.errors import GateInputError
from iac_gate.model import Evaluation, PricedResource, Violation, money

Action = Literal["block", "warn", "advisory"]
SEVERITY = {"advisory": 0, "warn": 1, "block": 2}


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")
    description: str = ""
    action: Action
    environments: list[str] | None = None


class MonthlyBudget(_Base):
    kind: Literal["monthly_budget"]
    max_total: Decimal | None = Field(default=None, ge=0)
    max_increase: Decimal | None = None


class InstanceSizes(_Base):
    kind: Literal["instance_sizes"]
    allow: list[str] | None = None
    deny: list[str] = []
    families: list[str] | None = (
        None  # allowed family globs (family = the size before the first dot)
    )
    deny_families: list[str] = []


class AllowedRegions(_Base):
    kind: Literal["allowed_regions"]
    regions: list[str] = Field(min_length=1)


class RequiredTags(_Base):
    kind: Literal["required_tags"]
    tags: list[str] = Field(min_length=1)
    case_insensitive: bool = True


class MaxResourceCost(_Base):
    kind: Literal["max_resource_cost"]
    max_monthly_cost: Decimal = Field(ge=0)


class TeamBudget(_Base):
    kind: Literal["team_budget"]
    team_tag: str = "team"


Policy = Annotated[
    MonthlyBudget | InstanceSizes | AllowedRegions | RequiredTags | MaxResourceCost | TeamBudget,
    Field(discriminator="kind"),
]


class PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = 1
    policies: list[Policy]


def _format_error(e: ValidationError) -> str:
    parts = []
    for err in e.errors()[:10]:
        loc = ".".join(str(x) for x in err["loc"])
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def load_policies(path: str | Path) -> list[Policy]:
    """Every policy in a YAML file or a folder of them; ids must be unique."""
    import yaml  # type: ignore[import-untyped]

    p = Path(path)
    if not p.exists():
        raise GateInputError(str(p), "policies path does not exist")
    files = sorted([*p.glob("*.yml"), *p.glob("*.yaml")]) if p.is_dir() else [p]
    if not files:
        raise GateInputError(str(p), "no *.yml or *.yaml policy files in this folder")
    out: list[Policy] = []
    seen: dict[str, str] = {}
    for f in files:
        try:
            doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise GateInputError(str(f), f"not valid YAML: {e}") from None
        if doc is None:
            continue
        try:
            parsed = PolicyFile.model_validate(doc)
        except ValidationError as e:
            raise GateInputError(str(f), f"invalid policy file: {_format_error(e)}") from None
        for pol in parsed.policies:
            if pol.id in seen:
                raise GateInputError(
                    str(f), f"policy id `{pol.id}` is also defined in {seen[pol.id]}"
                )
            seen[pol.id] = str(f)
            out.append(pol)
    return out


# Where each type keeps its "size": the attribute the sizes policy matches.
SIZE_PATHS: tuple[tuple[str, ...], ...] = (
    ("instance_type",),
    ("instance_class",),
    ("node_type",),
    ("machine_type",),
    ("vm_size",),
    ("size",),
    ("host_instance_type",),
    ("cluster_config", "instance_type"),
    ("broker_node_group_info", "instance_type"),
    ("settings", "tier"),
    ("default_node_pool", "vm_size"),
    ("node_config", "machine_type"),
    ("instance_types",),
)
SIZE_TYPES_WITH_SKU = (
    "azurerm_mssql_database",
    "azurerm_postgresql_flexible_server",
    "azurerm_mysql_flexible_server",
    "azurerm_service_plan",
)


def sizes_of(r: PricedResource) -> list[str]:
    attrs = r.change.after or {}
    out: list[str] = []
    for path in SIZE_PATHS:
        cur: Any = attrs
        for key in path:
            if isinstance(cur, list):
                cur = cur[0] if cur and isinstance(cur[0], dict) else cur
            cur = cur.get(key) if isinstance(cur, dict) else None
        if isinstance(cur, str):
            out.append(cur)
        elif isinstance(cur, list):
            out.extend(x for x in cur if isinstance(x, str))
    if r.change.type in SIZE_TYPES_WITH_SKU and isinstance(attrs.get("sku_name"), str):
        out.append(attrs["sku_name"])
    return out


def family_of(size: str) -> str:
    s = size.removeprefix("db.").removeprefix("cache.").removeprefix("kafka.").removeprefix("mq.")
    if "." in s:
        return s.split(".", 1)[0]
    if "-" in s:
        return s.split("-", 1)[0]
    return s


def _m(value: str, patterns: list[str]) -> bool:
    v = value.lower()
    return any(fnmatch.fnmatchcase(v, pat.lower()) for pat in patterns)


def evaluate(
    policies: list[Policy],
    resources: list[PricedResource],
    *,
    environment: str | None,
    total_after: Decimal,
    delta: Decimal,
    team_budgets: Any = None,
    team: str | None = None,
) -> Evaluation:
    """Apply policies to the resources the change creates or updates (deletes never violate)."""
    ev = Evaluation()
    changed = [r for r in resources if r.change.action in ("create", "update", "replace")]
    for pol in policies:
        if pol.environments is not None and environment not in pol.environments:
            ev.skipped.append(
                {
                    "policy_id": pol.id,
                    "reason": f"applies to environments {pol.environments}, "
                    f"this run is {environment or 'not given (--env)'}",
                }
            )
            continue
        ev.evaluated.append(pol.id)
        found: list[tuple[str | None, str]] = []
        if isinstance(pol, MonthlyBudget):
            if pol.max_total is not None and total_after > pol.max_total:
                found.append(
                    (
                        None,
                        f"monthly cost after this change ${money(total_after)} exceeds "
                        f"the {environment or ''} budget ${money(pol.max_total)}".replace(
                            "  ", " "
                        ),
                    )
                )
            if pol.max_increase is not None and delta > pol.max_increase:
                found.append(
                    (
                        None,
                        f"this change adds ${money(delta)}/month, above the allowed "
                        f"increase of ${money(pol.max_increase)}",
                    )
                )
        elif isinstance(pol, InstanceSizes):
            for r in changed:
                for size in sizes_of(r):
                    fam = family_of(size)
                    if pol.deny and _m(size, pol.deny):
                        found.append(
                            (r.change.address, f"size `{size}` is denied ({', '.join(pol.deny)})")
                        )
                    elif pol.allow is not None and not _m(size, pol.allow):
                        found.append(
                            (
                                r.change.address,
                                f"size `{size}` is not in the allowed sizes ({', '.join(pol.allow)})",
                            )
                        )
                    elif pol.deny_families and _m(fam, pol.deny_families):
                        found.append((r.change.address, f"family `{fam}` of `{size}` is denied"))
                    elif pol.families is not None and not _m(fam, pol.families):
                        found.append(
                            (
                                r.change.address,
                                f"family `{fam}` of `{size}` is not allowed ({', '.join(pol.families)})",
                            )
                        )
        elif isinstance(pol, AllowedRegions):
            for r in changed:
                if r.region and not r.free and r.region not in pol.regions:
                    found.append(
                        (
                            r.change.address,
                            f"region `{r.region}` is not allowed ({', '.join(pol.regions)})",
                        )
                    )
        elif isinstance(pol, RequiredTags):
            for r in changed:
                if not r.taggable:
                    continue
                have = {
                    k.lower() if pol.case_insensitive else k for k, v in r.tags.items() if v != ""
                }
                miss = [
                    t for t in pol.tags if (t.lower() if pol.case_insensitive else t) not in have
                ]
                if miss:
                    found.append((r.change.address, f"missing required tags: {', '.join(miss)}"))
        elif isinstance(pol, MaxResourceCost):
            for r in changed:
                if r.monthly_cost > pol.max_monthly_cost:
                    found.append(
                        (
                            r.change.address,
                            f"costs ${money(r.monthly_cost)}/month, above the "
                            f"per-resource maximum ${money(pol.max_monthly_cost)}",
                        )
                    )
        elif isinstance(pol, TeamBudget):
            found.extend(_team_budget(pol, ev, resources, team_budgets, team))
        for address, message in found:
            ev.violations.append(Violation(pol.id, pol.kind, pol.action, address, message))
    worst = max((SEVERITY[v.action] for v in ev.violations), default=0)
    ev.decision = "block" if worst == 2 else "warn" if worst == 1 else "pass"
    return ev


def _team_budget(
    pol: TeamBudget, ev: Evaluation, resources: list[PricedResource], budgets: Any, team: str | None
) -> list[tuple[str | None, str]]:
    if budgets is None or not budgets.available:
        ev.evaluated.remove(pol.id)
        ev.skipped.append(
            {
                "policy_id": pol.id,
                "reason": budgets.notice if budgets is not None else "no budget mart configured",
            }
        )
        return []
    deltas: dict[str, Decimal] = {}
    for r in resources:
        t = team or next((v for k, v in r.tags.items() if k.lower() == pol.team_tag.lower()), None)
        if t:
            deltas[t] = deltas.get(t, Decimal(0)) + r.monthly_cost - r.monthly_cost_before
    out: list[tuple[str | None, str]] = []
    for t, delta in sorted(deltas.items()):
        status = budgets.for_team(t)
        if status is None:
            out.append((None, f"team `{t}` has no budget in the budget mart"))
            continue
        if delta > 0 and delta > status.remaining:
            out.append(
                (
                    None,
                    f"team `{t}`: this change adds ${money(delta)}/month but only "
                    f"${money(status.remaining)} of its ${money(status.amount)} "
                    f"{status.period} budget remains (as of {status.as_of})",
                )
            )
    return out
