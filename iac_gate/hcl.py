"""Read a folder of `.tf` files when no plan is available (python-hcl2 parses; we resolve).

Resolved: `var.` (defaults, then `terraform.tfvars`, `*.auto.tfvars`, `--var-file`, `--var`),
`local.`, literal `count` and `for_each` (addresses `aws_instance.web[0]`,
`aws_db_instance.db["a"]`), `count.index`, `each.key`/`each.value`, arithmetic, comparisons,
conditionals, string templates, a set of pure functions (lookup, merge, max, upper, …), provider
`region` with aliases (`provider = aws.eu`), and references to other resources' attributes when
those are literals (an Azure resource group's `location`). Anything else (data sources, values
known only after apply) becomes `Unknown` and surfaces as an unpriced reason. Every resource is
a `create`: without state there is no before side. Modules are not expanded: each module call is
reported as an unpriced resource saying so.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iac_gate.errors import GateInputError
from iac_gate.model import ResourceChange, Unknown
from iac_gate.plan import normalize_region, region_from_attrs

_SCOPES = ("var", "local", "each", "count", "path", "terraform", "data", "module", "self")


def _close(text: str, start: int) -> int:
    """Index of the `}` closing the `${` at `start` (quotes and nested braces respected), or -1."""
    depth, i, quoted = 0, start + 2, False
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _segments(text: str) -> list[tuple[bool, str]]:
    """A template split into literal text and `${...}` expressions."""
    out: list[tuple[bool, str]] = []
    i = 0
    while i < len(text):
        j = text.find("${", i)
        end = _close(text, j) if j >= 0 else -1
        if j < 0 or end < 0:
            out.append((False, text[i:]))
            break
        if j > i:
            out.append((False, text[i:j]))
        out.append((True, text[j + 2 : end]))
        i = end + 1
    return out


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _parse_file(path: Path) -> dict[str, Any]:
    import hcl2

    try:
        with open(path, encoding="utf-8") as fh:
            return dict(hcl2.load(fh))
    except UnicodeDecodeError:
        raise GateInputError(str(path), "not UTF-8 text") from None
    except Exception as e:  # lark's parse errors carry line and column in the message
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise GateInputError(str(path), f"HCL syntax error: {first}") from None


def _split_ternary(expr: str) -> tuple[str, str, str] | None:
    """`c ? a : b` at the top level (outside strings and brackets)."""
    depth, q, qpos = 0, False, -1
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch == '"' and (i == 0 or expr[i - 1] != "\\"):
            q = not q
        elif not q:
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif depth == 0 and ch == "?" and qpos < 0:
                qpos = i
            elif depth == 0 and ch == ":" and qpos >= 0:
                return expr[:qpos], expr[qpos + 1 : i], expr[i + 1 :]
        i += 1
    return None


def _to_python(expr: str) -> str:
    out, q = [], False
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch == '"' and (i == 0 or expr[i - 1] != "\\"):
            q = not q
            out.append(ch)
        elif not q and expr.startswith("&&", i):
            out.append(" and ")
            i += 1
        elif not q and expr.startswith("||", i):
            out.append(" or ")
            i += 1
        elif not q and ch == "!" and not expr.startswith("!=", i):
            out.append(" not ")
        else:
            out.append(ch)
        i += 1
    py = "".join(out)
    # HCL object constructors `{ key = value }` -> Python dicts `{ "key": value }`
    py = re.sub(r"([{,]\s*)([A-Za-z_][\w-]*)\s*=(?!=)", r'\1"\2":', py)
    py = re.sub(r"\bnull\b", "None", py)
    py = re.sub(r"\btrue\b", "True", py)
    return re.sub(r"\bfalse\b", "False", py)


def _fmt(spec: str, *args: Any) -> str:
    return re.sub(r"%(?:\d*\.?\d*)[vdsfq]", "%s", spec) % tuple(args)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lookup": lambda m, k, *d: m.get(k, d[0]) if isinstance(m, dict) and (k in m or d) else Unknown(f"lookup: no key {k!r}"),
    "merge": lambda *ms: {k: v for m in ms if isinstance(m, dict) for k, v in m.items()},
    "length": len, "max": max, "min": min, "abs": abs, "ceil": math.ceil, "floor": math.floor,
    "upper": str.upper, "lower": str.lower, "title": str.title, "trimspace": str.strip,
    "concat": lambda *ls: [x for lst in ls for x in lst], "tolist": list, "toset": lambda s: sorted(set(s)),
    "tomap": dict, "tostring": str, "tonumber": lambda x: float(x) if "." in str(x) else int(x),
    "join": lambda sep, lst: sep.join(map(str, lst)), "split": lambda sep, s: s.split(sep),
    "replace": lambda s, a, b: s.replace(a, b), "format": _fmt, "coalesce": lambda *a: next((x for x in a if x not in (None, "")), None),
    "element": lambda lst, i: lst[int(i) % len(lst)], "keys": lambda m: sorted(m), "values": lambda m: [m[k] for k in sorted(m)],
    "contains": lambda lst, v: v in lst, "range": lambda *a: list(range(*map(int, a))),
}  # fmt: skip


class Module:
    """The root module of a .tf folder and the values it resolves."""

    def __init__(self, files: dict[Path, dict[str, Any]], variables: dict[str, Any]) -> None:
        self.files = files
        self.variables = variables
        self.locals_raw: dict[str, Any] = {}
        self.resources: dict[tuple[str, str], tuple[dict[str, Any], Path]] = {}
        self.providers: dict[str, dict[str, Any]] = {}
        self.modules: list[tuple[str, Path]] = []
        self._locals: dict[str, Any] = {}
        self._resolving: set[str] = set()
        for path, doc in files.items():
            for block in doc.get("locals", []):
                self.locals_raw.update({k: v for k, v in block.items() if k != "__is_block__"})
            for block in doc.get("resource", []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        self.resources[(_unquote(rtype), _unquote(name))] = (body, path)
            for block in doc.get("provider", []):
                for pname, body in block.items():
                    alias = body.get("alias")
                    key = _unquote(pname) + (
                        f".{_unquote(alias)}" if isinstance(alias, str) else ""
                    )
                    self.providers[key] = body
            for block in doc.get("module", []):
                for mname in block:
                    self.modules.append((_unquote(mname), path))

    # ---- evaluation ----------------------------------------------------------------------
    def value(self, raw: Any, scope: dict[str, Any]) -> Any:
        if isinstance(raw, dict):
            return {
                _unquote(k): self.value(v, scope) for k, v in raw.items() if k != "__is_block__"
            }
        if isinstance(raw, list):
            return [self.value(v, scope) for v in raw]
        if not isinstance(raw, str):
            return raw
        if raw.startswith("${") and _close(raw, 0) == len(raw) - 1:
            return self.expr(raw[2:-1], scope)
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            return self.template(raw[1:-1], scope)
        return raw

    def template(self, text: str, scope: dict[str, Any]) -> Any:
        parts: list[str] = []
        for is_expr, chunk in _segments(text):
            if not is_expr:
                parts.append(chunk)
                continue
            v = self.expr(chunk, scope)
            if isinstance(v, Unknown):
                return v
            parts.append(str(v).lower() if isinstance(v, bool) else str(v))
        return "".join(parts).replace('\\"', '"')

    def expr(self, text: str, scope: dict[str, Any]) -> Any:
        text = text.strip()
        if text.startswith("[for ") or text.startswith("{for "):
            return Unknown(f"`{text}`: for expressions are not evaluated")
        tern = _split_ternary(text)
        if tern:
            cond = self.expr(tern[0], scope)
            if isinstance(cond, Unknown):
                return cond
            return self.expr(tern[1] if cond else tern[2], scope)
        try:
            tree = ast.parse(_to_python(text), mode="eval")
        except SyntaxError:
            return Unknown(f"`{text}` could not be evaluated")
        try:
            return self._eval(tree.body, scope, text)
        except _Unresolved as u:
            return Unknown(u.why)
        except (
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            ZeroDivisionError,
            AttributeError,
        ) as e:
            return Unknown(f"`{text}`: {e}")

    def _eval(self, node: ast.AST, scope: dict[str, Any], text: str) -> Any:
        ev = lambda n: self._eval(n, scope, text)  # noqa: E731
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str) and "${" in node.value:
                v = self.template(node.value, scope)  # a template string inside an expression
                if isinstance(v, Unknown):
                    raise _Unresolved(v.why)
                return v
            return node.value
        if isinstance(node, ast.List | ast.Tuple):
            return [ev(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            return {
                (k.id if isinstance(k, ast.Name) else ev(k)): ev(v)
                for k, v in zip(node.keys, node.values, strict=True)
                if k is not None
            }
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            ops: dict[type, Callable[[Any, Any], Any]] = {
                ast.Add: lambda x, y: x + y,
                ast.Sub: lambda x, y: x - y,
                ast.Mult: lambda x, y: x * y,
                ast.Div: lambda x, y: x / y,
                ast.Mod: lambda x, y: x % y,
            }
            return ops[type(node.op)](a, b)
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand)
            return (
                -v
                if isinstance(node.op, ast.USub)
                else (not v)
                if isinstance(node.op, ast.Not)
                else v
            )
        if isinstance(node, ast.BoolOp):
            vals = [ev(v) for v in node.values]
            return all(vals) if isinstance(node.op, ast.And) else any(vals)
        if isinstance(node, ast.Compare):
            left = ev(node.left)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = ev(right_node)
                cmp = {
                    ast.Eq: left == right,
                    ast.NotEq: left != right,
                    ast.Lt: left < right,
                    ast.LtE: left <= right,
                    ast.Gt: left > right,
                    ast.GtE: left >= right,
                }[type(op)]
                if not cmp:
                    return False
                left = right
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            fn = FUNCTIONS.get(node.func.id)
            if fn is None:
                raise _Unresolved(f"`{text}`: function {node.func.id}() is not evaluated")
            return fn(*[ev(a) for a in node.args])
        if isinstance(node, ast.Subscript):
            base, key = ev(node.value), ev(node.slice)
            return base[int(key)] if isinstance(base, list) else base[key]
        if isinstance(node, ast.Attribute | ast.Name):
            return self._reference(node, scope, text)
        raise _Unresolved(f"`{text}` could not be evaluated")

    def _reference(self, node: ast.AST, scope: dict[str, Any], text: str) -> Any:
        chain: list[str] = []
        while isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            raise _Unresolved(f"`{text}` could not be evaluated")
        chain.append(node.id)
        chain.reverse()
        head = chain[0]
        if head == "var":
            if chain[1] not in self.variables:
                raise _Unresolved(f"variable `{chain[1]}` has no value (give --var or --var-file)")
            return _walk(self.variables[chain[1]], chain[2:], text)
        if head == "local":
            return _walk(self.local(chain[1]), chain[2:], text)
        if head in ("each", "count"):
            key = f"{head}.{chain[1]}"
            if key not in scope:
                raise _Unresolved(f"`{key}` used outside count/for_each")
            return _walk(scope[key], chain[2:], text)
        if head in _SCOPES:
            raise _Unresolved(f"`{'.'.join(chain)}` is known only at plan time")
        if len(chain) >= 3 and (head, chain[1]) in self.resources:
            return self.resource_attr(head, chain[1], chain[2], chain[3:], text)
        raise _Unresolved(f"`{'.'.join(chain)}` could not be resolved")

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name not in self.locals_raw or f"local.{name}" in self._resolving:
            raise _Unresolved(f"local `{name}` is not defined or is circular")
        self._resolving.add(f"local.{name}")
        try:
            v = self.value(self.locals_raw[name], {})
        finally:
            self._resolving.discard(f"local.{name}")
        if isinstance(v, Unknown):
            raise _Unresolved(v.why)
        self._locals[name] = v
        return v

    def resource_attr(self, rtype: str, name: str, attr: str, rest: list[str], text: str) -> Any:
        key = f"{rtype}.{name}.{attr}"
        body = self.resources[(rtype, name)][0]
        if attr not in body or key in self._resolving:
            raise _Unresolved(f"`{rtype}.{name}.{attr}` is known only after apply")
        self._resolving.add(key)
        try:
            v = self.value(body[attr], {"count.index": 0})
        finally:
            self._resolving.discard(key)
        if isinstance(v, Unknown):
            raise _Unresolved(v.why)
        return _walk(v, rest, text)


class _Unresolved(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _walk(v: Any, rest: list[str], text: str) -> Any:
    for part in rest:
        if isinstance(v, dict) and part in v:
            v = v[part]
        else:
            raise _Unresolved(f"`{text}`: no attribute `{part}`")
    return v


_REF = re.compile(r"\b([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)\b")


def _refs(body: Any, path: str, out: dict[str, str], known: set[tuple[str, str]]) -> None:
    if isinstance(body, dict):
        for k, v in body.items():
            if k != "__is_block__":
                _refs(v, f"{path}.{_unquote(k)}" if path else _unquote(k), out, known)
    elif isinstance(body, list):
        for v in body:
            _refs(v, path, out, known)
    elif isinstance(body, str) and "${" in body:
        for m in _REF.finditer(body):
            if (m.group(1), m.group(2)) in known:
                out.setdefault(path, f"{m.group(1)}.{m.group(2)}")
                break


def _coerce_cli(v: str) -> Any:
    """`-var n=2` is a number, `-var on=true` a bool, anything else a string (as Terraform
    converts by the declared type)."""
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    if re.fullmatch(r"-?\d+\.\d*", v):
        return float(v)
    return {"true": True, "false": False}.get(v, v)


def _load_vars(files: list[Path]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in files:
        if not f.exists():
            raise GateInputError(str(f), "variable file not found")
        doc = _parse_file(f)
        tmp = Module({}, {})
        out.update({k: tmp.value(v, {}) for k, v in doc.items()})
    return out


def load_tf_dir(
    path: Path,
    *,
    var_files: list[str],
    variables: dict[str, str],
    default_region: str | None = None,
) -> list[ResourceChange]:
    tf_files = sorted(path.glob("*.tf"))
    if not tf_files:
        raise GateInputError(str(path), "no .tf files in this folder")
    files = {f: _parse_file(f) for f in tf_files}
    values: dict[str, Any] = {}
    declared: set[str] = set()
    probe = Module({}, {})
    for doc in files.values():
        for block in doc.get("variable", []):
            for name, body in block.items():
                declared.add(_unquote(name))
                if "default" in body:
                    values[_unquote(name)] = probe.value(body["default"], {})
    auto = [path / "terraform.tfvars"] if (path / "terraform.tfvars").exists() else []
    auto += sorted(path.glob("*.auto.tfvars"))
    values.update(_load_vars(auto + [Path(v) for v in var_files]))
    for k, v in variables.items():
        values[k] = _coerce_cli(v)
    mod = Module(files, values)
    regions: dict[str, Any] = {}
    for key, body in mod.providers.items():
        for attr in ("region", "location", "zone"):
            if attr in body:
                r = mod.value(body[attr], {})
                if isinstance(r, str):
                    regions[key] = (
                        r.rsplit("-", 1)[0] if attr == "zone" and re.search(r"-[a-z]$", r) else r
                    )
                break
    known = set(mod.resources)
    out: list[ResourceChange] = []
    for (rtype, name), (body, src) in mod.resources.items():
        provider = rtype.split("_", 1)[0]
        pkey = provider
        if "provider" in body:
            pk = str(body["provider"]).removeprefix("${").removesuffix("}")
            pkey = pk
        refs: dict[str, str] = {}
        _refs(body, "", refs, known)
        for addr, scope in _instances(mod, rtype, name, body, src):
            attrs = {
                k: mod.value(v, scope)
                for k, v in body.items()
                if k
                not in ("__is_block__", "count", "for_each", "provider", "lifecycle", "depends_on")
            }
            region = (
                region_from_attrs(provider, attrs)
                or (normalize_region(provider, regions[pkey]) if pkey in regions else None)
                or default_region
            )
            out.append(
                ResourceChange(
                    address=addr,
                    type=rtype,
                    name=name,
                    provider=provider,
                    action="create",
                    before=None,
                    after=attrs,
                    region_after=region,
                    region_reason=None
                    if region
                    else f"region unknown: provider `{pkey}` sets no region "
                    "and the resource has no location; pass --default-region",
                    source=str(src),
                    refs=refs,
                )
            )
    for mname, src in mod.modules:
        out.append(
            ResourceChange(
                address=f"module.{mname}",
                type="module",
                name=mname,
                provider="terraform",
                action="create",
                before=None,
                after={},
                source=str(src),
                unpriceable="modules are not expanded from .tf files: run "
                "`terraform plan` and gate the plan JSON",
            )
        )
    return out


def _instances(
    mod: Module, rtype: str, name: str, body: dict[str, Any], src: Path
) -> list[tuple[str, dict[str, Any]]]:
    base = f"{rtype}.{name}"
    if "count" in body:
        n = mod.value(body["count"], {})
        if isinstance(n, bool) or (isinstance(n, str) and n.isdigit()):
            n = int(n)
        if not isinstance(n, int | float):
            raise GateInputError(
                str(src),
                f"{base}: count is not a literal number after resolving "
                f"variables ({getattr(n, 'why', n)!s})",
            )
        return [(f"{base}[{i}]", {"count.index": i}) for i in range(int(n))]
    if "for_each" in body:
        fe = mod.value(body["for_each"], {})
        if isinstance(fe, dict):
            return [(f'{base}["{k}"]', {"each.key": k, "each.value": v}) for k, v in fe.items()]
        if isinstance(fe, list):
            return [(f'{base}["{k}"]', {"each.key": k, "each.value": k}) for k in fe]
        raise GateInputError(
            str(src),
            f"{base}: for_each is not a literal map or set after resolving "
            f"variables ({getattr(fe, 'why', fe)!s})",
        )
    return [(base, {})]
