"""Read a folder of `.tf` files when no plan is available: python-hcl2 parses the blocks, our
evaluator (`hcl_parse` + `hcl_eval` + `hcl_funcs`) computes the values as Terraform would.

Evaluated: variables (defaults, `terraform.tfvars`, `*.auto.tfvars`, `--var-file`, `--var`),
`locals` referring to each other, `count` / `for_each` (over locals, `for` expressions,
`setproduct`, ...), `dynamic` blocks, references to other resources' configured attributes
(`azurerm_resource_group.rg.location`, `aws_instance.web[0].instance_type`, splats), local modules
(`source = "./..."`) expanded with their inputs, outputs and addresses
(`module.x.aws_instance.y[0]`), provider regions with aliases and `providers = {...}` maps.
What cannot be known without a plan (data sources, remote modules, computed attributes) becomes
`Unknown` in the attribute it affects and surfaces as an unpriced reason. Every resource is a
`create`: without state there is no before side.

Hard inputs are exit 2 (`GateInputError`) naming the attribute: a negative or non-integer
`count`, a `for_each` that is not a map or set of strings, an expansion beyond `max_resources`,
an evaluation beyond its time or element bounds, a numeric overflow. Files (and `file()` reads)
must stay inside the boundary folder after resolving symlinks; errors quote only short excerpts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from iac_gate.errors import GateInputError
from iac_gate.hcl_eval import LimitError
from iac_gate.hcl_module import (
    EVAL_SECONDS,
    MAX_RESOURCES,
    Load,
    Module,
    ResourceView,
    parse_file,
    to_decimal,
    unquote,
)
from iac_gate.model import ResourceChange, Unknown
from iac_gate.plan import PROVIDER_DEFAULT_REGIONS, normalize_region, region_from_attrs

_REF = re.compile(r"\b([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)\b")
# `x.y[count.index]`, `x.y.*.id[count.index]`, `x.y[each.key]`: the reference follows the
# instance being expanded (resolved per instance in `_instance_refs`).
_LOCAL = re.compile(r"\blocal\.([A-Za-z_][A-Za-z0-9_-]*)")
_PER_INSTANCE = re.compile(r"(?:\.\*\.\w+|\[\*\]\.\w+)?\[(count\.index|each\.key)\]")


def _refs(
    body: Any,
    path: str,
    out: dict[str, str],
    known: set[tuple[str, str]],
    pfx: str,
    locals_raw: dict[str, Any] | None = None,
    depth: int = 0,
) -> None:
    """Attribute path -> the resource its expression references, directly or through
    `local.x` (a template named by a local: `launch_template { name = local.lt_name }`)."""
    if isinstance(body, dict):
        for k, v in body.items():
            if k != "__is_block__":
                key = unquote(k)
                _refs(v, f"{path}.{key}" if path else key, out, known, pfx, locals_raw, depth)
    elif isinstance(body, list):
        for v in body:
            _refs(v, path, out, known, pfx, locals_raw, depth)
    elif isinstance(body, str) and "${" in body:
        for m in _REF.finditer(body):
            if (m.group(1), m.group(2)) in known:
                follow = _PER_INSTANCE.match(body, m.end())
                mark = "" if follow is None else f"[#{follow.group(1)}]"
                out.setdefault(path, f"{pfx}{m.group(1)}.{m.group(2)}{mark}")
                return
        if locals_raw and depth < 8:
            for name in _LOCAL.findall(body):
                if path not in out and name in locals_raw:
                    _refs(locals_raw[name], path, out, known, pfx, locals_raw, depth + 1)


def _instance_refs(refs: dict[str, str], kind: str, key: Any) -> dict[str, str]:
    """Per-instance references: `[#count.index]` / `[#each.key]` become this instance's key."""
    if not any("[#" in t for t in refs.values()):
        return refs
    idx = f"[{key}]" if kind == "count" else f'["{_key(key)}"]'
    return {
        path: re.sub(r"\[#(?:count\.index|each\.key)\]", idx if kind != "single" else "", t)
        for path, t in refs.items()
    }


def _coerce_cli(v: str) -> Any:
    """`-var n=2` is a number, `-var on=true` a bool, anything else a string (as Terraform
    converts by the declared type)."""
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    if re.fullmatch(r"-?\d+\.\d*", v):
        return to_decimal(v)
    return {"true": True, "false": False}.get(v, v)


def _key(k: Any) -> str:
    return str(k).replace("\\", "\\\\").replace('"', '\\"')


def _collect(mod: Module, default_region: str | None, out: list[ResourceChange]) -> None:
    known = set(mod.resources)
    for (rtype, name), (body, src) in mod.resources.items():
        provider = rtype.split("_", 1)[0]
        pkey = provider
        if "provider" in body:
            pkey = str(body["provider"]).removeprefix("${").removesuffix("}")
        refs: dict[str, str] = {}
        _refs(body, "", refs, known, mod.prefix, mod.locals_raw)
        base = f"{mod.prefix}{rtype}.{name}"
        inst = mod.expand(f"{rtype}.", name, body, src)
        if isinstance(inst, Unknown):
            out.append(_placeholder(base, rtype, name, provider, src, inst.why, mod.prefix))
            continue
        kind, items = inst
        for k, bindings in items:
            addr = (
                base
                if kind == "single"
                else f"{base}[{k}]"
                if kind == "count"
                else f'{base}["{_key(k)}"]'
            )
            try:
                attrs = mod.body(body, mod.scope(bindings))
            except GateInputError as e:
                raise GateInputError(str(src), f"{addr}: {e.problem}") from None
            region, note = _region(mod, provider, pkey, attrs, refs, default_region)
            out.append(
                ResourceChange(
                    address=addr, type=rtype, name=name, provider=provider, action="create",
                    before=None, after=attrs, region_after=region, region_note=note,
                    region_reason=None if region else f"region unknown: provider `{pkey}` sets no region",
                    source=str(src), refs=_instance_refs(refs, kind, k),
                    module_address=mod.prefix.rstrip("."),
                )
            )  # fmt: skip
    for name, (_body, src) in mod.calls.items():
        inst = mod.module_instances(name)
        if isinstance(inst, Unknown):
            out.append(
                _placeholder(f"{mod.prefix}module.{name}", "module", name, "terraform", src, inst.why, mod.prefix)
            )  # fmt: skip
            continue
        for k, child in inst[1]:
            if isinstance(child, Unknown):
                addr = f"{mod.prefix}module.{name}" + (
                    "" if k is None else f"[{k!r}]".replace("'", '"')
                )
                out.append(
                    _placeholder(addr, "module", name, "terraform", src, child.why, mod.prefix)
                )
            else:
                _collect(child, default_region, out)


def _placeholder(
    addr: str, rtype: str, name: str, provider: str, src: Path, why: str, prefix: str
) -> ResourceChange:
    return ResourceChange(
        address=addr, type=rtype, name=name, provider=provider, action="create", before=None,
        after={}, source=str(src), unpriceable=why, module_address=prefix.rstrip("."),
    )  # fmt: skip


def _region(
    mod: Module,
    provider: str,
    pkey: str,
    attrs: dict[str, Any],
    refs: dict[str, str],
    default_region: str | None,
) -> tuple[str | None, str | None]:
    """The resource's own region, else (Azure) the location of a resource it references, else
    its provider's, else --default-region, else the provider default with a notice."""
    region = region_from_attrs(provider, attrs)
    if region:
        return region, None
    if provider == "azurerm":
        for target in refs.values():
            rtype, rname = target.removeprefix(mod.prefix).split(".", 1)
            if (rtype, rname) not in mod.resources:
                continue
            v = mod.resource_value(rtype, rname)
            view = v[0] if isinstance(v, list) and v else v
            if isinstance(view, dict) and view:
                view = next(iter(view.values()))
            if isinstance(view, ResourceView):
                loc = view.attr("location")
                if isinstance(loc, str) and loc:
                    return normalize_region(provider, loc), None
    pr = mod.provider_region(pkey)
    if pr:
        return normalize_region(provider, pr), None
    if default_region:
        return default_region, None
    fallback = PROVIDER_DEFAULT_REGIONS.get(provider)
    if fallback:
        return fallback, (
            f"region assumed {fallback} for `{provider}` resources: the configuration sets none "
            "(pass --default-region to choose)"
        )
    return None, None


def load_tf_dir(
    path: Path,
    *,
    var_files: list[str],
    variables: dict[str, str],
    default_region: str | None = None,
    max_resources: int = MAX_RESOURCES,
    boundary: Path | None = None,
    seconds: float = EVAL_SECONDS,
) -> list[ResourceChange]:
    """Every resource instance the folder's configuration declares, with its evaluated
    attributes. `boundary` (default: the folder) is where files, modules and `file()` reads
    must stay after resolving symlinks."""
    root = path.resolve()
    bound = (boundary or path).resolve()
    if not root.is_relative_to(bound):
        raise GateInputError(str(path), "the folder is outside the --root given")
    tf_files = sorted(path.glob("*.tf"))
    if not tf_files:
        raise GateInputError(str(path), "no .tf files in this folder")
    load = Load(root, bound, max_resources, seconds)
    files = {f: parse_file(f, bound) for f in tf_files}
    values: dict[str, Any] = {}
    probe = Module(load, root, {}, "", {}, {})
    auto = [path / "terraform.tfvars"] if (path / "terraform.tfvars").exists() else []
    auto += sorted(path.glob("*.auto.tfvars"))
    for f in auto + [Path(v) for v in var_files]:
        if not f.exists():
            raise GateInputError(str(f), "variable file not found")
        doc = parse_file(f, f.resolve().parent if f in [Path(v) for v in var_files] else bound)
        values.update({k: probe.value(v, probe.scope()) for k, v in doc.items()})
    for k, v in variables.items():
        values[k] = _coerce_cli(v)
    try:
        mod = Module(load, root, files, "", values, {})
        out: list[ResourceChange] = []
        _collect(mod, default_region, out)
    except LimitError as e:
        raise GateInputError(str(path), str(e)) from None
    except RecursionError:
        raise GateInputError(
            str(path), "the configuration is nested too deeply to evaluate"
        ) from None
    return out
