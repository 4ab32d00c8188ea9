"""Read `terraform show -json` plans into `ResourceChange`s.

- `resource_changes[]` gives the action and both sides (`before`, `after`); values Terraform only
  knows after apply (`after_unknown`) become `Unknown`; a missing `before` of an update is
  taken from `prior_state`.
- Regions come from the resource (AWS `region`/`availability_zone`, Google `region`/`zone`/
  `location`, Azure `location`), else from the provider block the resource uses in
  `configuration` (a constant, or a `var.` reference resolved from the plan's `variables`),
  else from `default_region`.
- Data sources and `read` actions are ignored. A plan without `resource_changes` (very old
  formats) is read from `planned_values` as creates, walking `child_modules`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from iac_gate.errors import GateInputError
from iac_gate.model import ResourceChange, Unknown

MAX_PLAN_BYTES = 512 * 1024 * 1024
MAX_RESOURCES = 100_000
# What Terraform providers (and Infracost) fall back to when the configuration sets no region:
# the AWS CLI default, the Google provider's documented default, Azure's first public region.
PROVIDER_DEFAULT_REGIONS = {"aws": "us-east-1", "google": "us-central1", "azurerm": "eastus"}

_ACTIONS = {
    ("create",): "create", ("delete",): "delete", ("update",): "update", ("no-op",): "no-op",
    ("delete", "create"): "replace", ("create", "delete"): "replace", ("read",): "read",
    ("forget",): "delete",
}  # fmt: skip


def _d(x: Any) -> dict[str, Any]:
    """An optional object of the plan: itself, or empty when absent or of the wrong type."""
    return x if isinstance(x, dict) else {}


def _l(x: Any) -> list[dict[str, Any]]:
    """An optional list of objects: the objects in it (anything else is ignored)."""
    return [v for v in x if isinstance(v, dict)] if isinstance(x, list) else []


def provider_short(provider_name: str) -> str:
    """`registry.terraform.io/hashicorp/aws` -> `aws`; `aws` -> `aws`."""
    return provider_name.rsplit("/", 1)[-1]


def normalize_region(provider: str, region: str) -> str:
    if provider == "azurerm":
        return re.sub(r"\s+", "", region).lower()
    return region.strip()


def region_from_zone(provider: str, zone: str) -> str:
    """`us-east-1e` -> `us-east-1`; `europe-west1-c` -> `europe-west1`."""
    if provider == "google":
        return zone.rsplit("-", 1)[0] if re.search(r"-[a-z]$", zone) else zone
    m = re.match(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d)[a-z]$", zone)
    return m.group(1) if m else zone


def region_from_attrs(provider: str, attrs: dict[str, Any] | None) -> str | None:
    if not attrs:
        return None
    if provider == "azurerm":
        loc = attrs.get("location")
        return normalize_region(provider, loc) if isinstance(loc, str) and loc else None
    region = attrs.get("region")
    if isinstance(region, str) and region:
        return normalize_region(provider, region)
    for key in ("availability_zone", "zone", "location"):
        v = attrs.get(key)
        if isinstance(v, str) and v:
            return region_from_zone(provider, v)
    return None


def _mark_unknown(after: Any, unknown: Any, path: str) -> Any:
    """Overlay `after_unknown` on `after`: every `true` leaf becomes an `Unknown`."""
    if unknown is True:
        return Unknown(f"`{path}` is known only after apply")
    if isinstance(unknown, dict):
        base = dict(after) if isinstance(after, dict) else {}
        for k, v in unknown.items():
            if v is True and base.get(k) is not None:
                continue
            base[k] = _mark_unknown(base.get(k), v, f"{path}.{k}" if path else k)
        return base
    if isinstance(unknown, list) and isinstance(after, list):
        out = list(after)
        for i, v in enumerate(unknown):
            if i < len(out):
                out[i] = _mark_unknown(out[i], v, f"{path}[{i}]")
        return out
    return after


class _Configuration:
    """What the plan's `configuration` tells: each provider configuration's region (or zone) and,
    per resource, which provider configuration it uses and which resources it references."""

    def __init__(self, plan: dict[str, Any]) -> None:
        variables = {k: _d(v).get("value") for k, v in _d(plan.get("variables")).items()}
        cfg = _d(plan.get("configuration"))
        self.by_key: dict[str, str] = {}
        for key, pc in _d(cfg.get("provider_config")).items():
            exprs = _d(_d(pc).get("expressions"))
            for attr in ("region", "zone", "location"):
                v = self._resolve(exprs.get(attr), variables)
                if v:
                    name = provider_short(str(_d(pc).get("name") or key.split(".")[0]))
                    self.by_key[key] = region_from_zone(name, v) if attr == "zone" else v
                    break
        self.resource_keys: dict[str, str] = {}
        self.refs: dict[str, dict[str, str]] = {}
        self._walk(_d(cfg.get("root_module")), "")

    @staticmethod
    def _resolve(expr: Any, variables: dict[str, Any]) -> str | None:
        if not isinstance(expr, dict):
            return None
        if isinstance(expr.get("constant_value"), str):
            return str(expr["constant_value"])
        for ref in expr.get("references") or []:
            if ref.startswith("var."):
                v = variables.get(ref[4:].split(".")[0])
                if isinstance(v, str):
                    return v
        return None

    def _walk(self, module: dict[str, Any], prefix: str) -> None:
        for r in _l(module.get("resources")):
            if not isinstance(r.get("address"), str):
                continue
            if isinstance(r.get("provider_config_key"), str):
                self.resource_keys[prefix + r["address"]] = r["provider_config_key"]
            refs: dict[str, str] = {}
            _collect_refs(_d(r.get("expressions")), "", prefix, refs)
            self.refs[prefix + r["address"]] = refs
        for name, call in _d(module.get("module_calls")).items():
            self._walk(_d(_d(call).get("module")), f"{prefix}module.{name}.")

    def region_for(self, address: str, provider: str) -> str | None:
        config_addr = re.sub(r"\[[^\]]*\]", "", address)
        key = self.resource_keys.get(config_addr)
        candidates = [key] if key else []
        if key and ":" in key:  # pre-1.0 module form "module:provider"
            candidates.append(key.split(":", 1)[1])
        candidates.append(provider)
        for k in candidates:
            if k in self.by_key:
                return normalize_region(provider, self.by_key[k])
        return None


_NOT_RESOURCES = (
    "var.",
    "local.",
    "data.",
    "module.",
    "each.",
    "count.",
    "path.",
    "self.",
    "terraform.",
)


def _collect_refs(expr: Any, path: str, prefix: str, out: dict[str, str]) -> None:
    """Attribute path -> address of the managed resource its expression references."""
    if isinstance(expr, list):
        for block in expr:
            _collect_refs(block, path, prefix, out)
        return
    if not isinstance(expr, dict):
        return
    refs = expr.get("references")
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, str) and not ref.startswith(_NOT_RESOURCES) and ref.count(".") >= 1:
                parts = ref.split(".")
                out.setdefault(path, prefix + re.sub(r"\[[^\]]*\]$", "", ".".join(parts[:2])))
                break
        return
    if "constant_value" in expr:
        return
    for key, sub in expr.items():
        _collect_refs(sub, f"{path}.{key}" if path else key, prefix, out)


def _walk_planned(module: dict[str, Any]) -> list[dict[str, Any]]:
    out = _l(module.get("resources"))
    for child in _l(module.get("child_modules")):
        out.extend(_walk_planned(child))
    return out


def parse_plan_document(
    plan: Any, source: str, default_region: str | None = None, max_resources: int = MAX_RESOURCES
) -> list[ResourceChange]:
    """The managed resource changes of a decoded plan document."""
    if not isinstance(plan, dict):
        raise GateInputError(
            source,
            f"not a Terraform plan: the JSON is a {type(plan).__name__}, "
            "expected an object from `terraform show -json PLANFILE`",
        )
    if "resource_changes" not in plan and "planned_values" not in plan:
        if "resources" in plan and "version" in plan:
            raise GateInputError(
                source,
                "this is a Terraform state file, not a plan: "
                "run `terraform plan -out=tfplan && terraform show -json tfplan`",
            )
        raise GateInputError(
            source,
            "not a Terraform plan: it has neither `resource_changes` "
            "nor `planned_values` (expected `terraform show -json PLANFILE`)",
        )
    config = _Configuration(plan)
    prior = {
        r.get("address"): r.get("values")
        for r in _walk_planned(_d(_d(_d(plan.get("prior_state")).get("values")).get("root_module")))
    }
    raw_changes = plan.get("resource_changes")
    if raw_changes is None:
        raw_changes = [
            {**r, "change": {"actions": ["create"], "before": None, "after": r.get("values")}}
            for r in _walk_planned(_d(_d(plan.get("planned_values")).get("root_module")))
        ]
    if not isinstance(raw_changes, list):
        raise GateInputError(source, "`resource_changes` is not a list")
    if len(raw_changes) > max_resources:
        raise GateInputError(
            source,
            f"the plan has {len(raw_changes):,} resource changes, above the limit of "
            f"{max_resources:,} (raise it with --max-resources)",
        )
    out: list[ResourceChange] = []
    for i, rc in enumerate(raw_changes):
        where = f"resource_changes[{i}]"
        if not isinstance(rc, dict) or not isinstance(rc.get("change"), dict):
            raise GateInputError(source, f"{where} is not a resource change object")
        if rc.get("mode", "managed") != "managed":
            continue
        address, rtype = rc.get("address"), rc.get("type")
        if not isinstance(address, str) or not isinstance(rtype, str):
            raise GateInputError(source, f"{where} has no `address`/`type` strings")
        change = rc["change"]
        actions = change.get("actions")
        action = _ACTIONS.get(tuple(actions)) if isinstance(actions, list) else None
        if action is None:
            raise GateInputError(source, f"{address}: unknown actions {actions!r}")
        if action == "read":
            continue
        provider = provider_short(str(rc.get("provider_name") or rtype.split("_", 1)[0]))
        before = change.get("before")
        if before is None and action in ("update", "no-op", "delete", "replace"):
            before = prior.get(address)
        after = change.get("after") if action != "delete" else None
        if after is not None:
            after = _mark_unknown(after, change.get("after_unknown") or {}, "")
        if before is not None and not isinstance(before, dict):
            raise GateInputError(source, f"{address}: `change.before` is not an object")
        if after is not None and not isinstance(after, dict):
            raise GateInputError(source, f"{address}: `change.after` is not an object")
        provider_region = config.region_for(address, provider)
        r_after = (
            (region_from_attrs(provider, after) or provider_region or default_region)
            if after is not None
            else None
        )
        r_before = (
            (region_from_attrs(provider, before) or provider_region or default_region)
            if before is not None
            else None
        )
        reason = note = None
        fallback = PROVIDER_DEFAULT_REGIONS.get(provider)
        if (after is not None and r_after is None) or (before is not None and r_before is None):
            if fallback:
                r_after = r_after or (fallback if after is not None else None)
                r_before = r_before or (fallback if before is not None else None)
                note = (
                    f"region assumed {fallback} for `{provider}` resources: the plan sets none "
                    "(pass --default-region to choose)"
                )
            else:
                reason = (
                    f"region unknown: the {provider} provider block sets no region and the "
                    "resource has no location; pass --default-region"
                )
        out.append(
            ResourceChange(
                address=address,
                type=rtype,
                name=str(rc.get("name", "")),
                provider=provider,
                action=action,
                before=before,
                after=after,
                region_before=r_before,
                region_after=r_after,
                region_reason=reason,
                region_note=note,
                module_address=str(rc.get("module_address", "")),
                source=source,
                refs=config.refs.get(re.sub(r"\[[^\]]*\]", "", address), {}),
            )
        )
    return out


def _finite_float(text: str) -> float:
    f = float(text)
    if f in (float("inf"), float("-inf")):
        raise GateInputError("", f"numeric overflow: {text[:30]} is beyond the float64 range")
    return f


def _no_constant(text: str) -> Any:
    raise GateInputError("", f"`{text}` is not a number JSON allows")


def load_plan(
    path: str | Path, default_region: str | None = None, max_resources: int = MAX_RESOURCES
) -> list[ResourceChange]:
    """Read a plan JSON file; every problem is a `GateInputError` naming the file."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise GateInputError(str(p), f"cannot read: {e.strerror}") from None
    if size > MAX_PLAN_BYTES:
        raise GateInputError(str(p), f"plan is {size:,} bytes, above the {MAX_PLAN_BYTES:,} limit")
    if size == 0:
        raise GateInputError(str(p), "file is empty (expected `terraform show -json` output)")
    raw = p.read_bytes()
    if raw[:2] == b"PK":
        raise GateInputError(
            str(p),
            "this is a binary plan file (zip): convert it with "
            "`terraform show -json PLANFILE > plan.json`",
        )
    try:
        doc = json.loads(
            raw.decode("utf-8-sig"), parse_float=_finite_float, parse_constant=_no_constant
        )
    except GateInputError as e:
        raise GateInputError(str(p), e.problem) from None
    except RecursionError:
        raise GateInputError(str(p), "nested too deeply to be a Terraform plan") from None
    except UnicodeDecodeError:
        raise GateInputError(
            str(p),
            "not UTF-8 text: is this the binary plan file? "
            "Convert it with `terraform show -json PLANFILE > plan.json`",
        ) from None
    except json.JSONDecodeError as e:
        raise GateInputError(
            str(p), f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        ) from None
    return parse_plan_document(doc, str(p), default_region, max_resources)
