"""One module instance of a `.tf` folder: its blocks, the names its expressions see (`var`,
`local`, resources, `module`, `data`, `path`), lazy evaluation with cycle detection, `count` /
`for_each` expansion with its bounds, `dynamic` blocks, local module calls, and the file reads
that must stay inside the boundary folder. `iac_gate.hcl` walks these into resource changes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from iac_gate.errors import GateInputError
from iac_gate.hcl_eval import (
    Budget,
    EvalError,
    Evaluator,
    LimitError,
    Namespace,
    Scope,
    Unresolved,
    check_number,
    norm,
    to_str,
)
from iac_gate.hcl_funcs import FUNCTIONS
from iac_gate.hcl_parse import HclSyntaxError, Node, excerpt, parse_value_text
from iac_gate.model import Unknown

MAX_RESOURCES = 100_000
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_MODULE_DEPTH = 16
EVAL_SECONDS = 10.0
_META = frozenset(
    {"__is_block__", "count", "for_each", "provider", "lifecycle", "depends_on", "dynamic",
     "provisioner", "connection"}
)  # fmt: skip
# Inside nested blocks `count`, `provider`, ... are ordinary arguments (a GPU block's `count`).
_NESTED_META = frozenset({"__is_block__", "dynamic"})


def unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _is_block(v: Any) -> bool:
    return isinstance(v, dict) and v.get("__is_block__") is True


def _inside(path: Path, boundary: Path) -> bool:
    try:
        return path.resolve().is_relative_to(boundary)
    except (OSError, RuntimeError):
        return False


def _read_checked(path: Path, boundary: Path) -> str:
    """A file's text, refusing symlinks out of the boundary, special files and huge files."""
    if not _inside(path, boundary):
        raise GateInputError(str(path), "resolves outside the folder given (symlink?); not read")
    real = path.resolve()
    if not real.is_file():
        raise GateInputError(str(path), "not a regular file; not read")
    if real.stat().st_size > MAX_FILE_BYTES:
        raise GateInputError(str(path), f"larger than {MAX_FILE_BYTES:,} bytes; not read")
    try:
        return real.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise GateInputError(str(path), "not UTF-8 text") from None


def parse_file(path: Path, boundary: Path) -> dict[str, Any]:
    import hcl2

    text = _read_checked(path, boundary)
    try:
        return dict(hcl2.loads(text))
    except RecursionError:
        raise GateInputError(str(path), "HCL syntax error: nested too deeply") from None
    except Exception as e:  # lark's parse errors carry line and column in the message
        msg = str(e).strip()
        m = re.search(r"line (\d+)(?:,)? col(?:umn)? (\d+)", msg)
        where = f" at line {m.group(1)} column {m.group(2)}" if m else ""
        first = excerpt(msg.splitlines()[0] if msg else type(e).__name__, 80)
        raise GateInputError(str(path), f"HCL syntax error{where}: {first}") from None


class Load:
    """State of one folder's evaluation: parse cache, budget, resource count, boundary."""

    def __init__(self, root: Path, boundary: Path, max_resources: int, seconds: float) -> None:
        self.root = root
        self.boundary = boundary
        self.max_resources = max_resources
        self.budget = Budget(seconds=seconds)
        self.resources = 0
        self.ast: dict[str, Node | HclSyntaxError] = {}
        self.resolving: set[str] = set()

    def parse(self, text: str) -> Node:
        node = self.ast.get(text)
        if node is None:
            try:
                node = parse_value_text(text)
            except HclSyntaxError as e:
                node = e
            self.ast[text] = node
        if isinstance(node, HclSyntaxError):
            raise Unresolved(f"could not parse {node}")
        return node

    def add_resources(self, n: int, where: str, src: str) -> None:
        self.resources += n
        if self.resources > self.max_resources:
            raise GateInputError(
                src,
                f"{where}: the configuration expands to more than {self.max_resources:,} "
                "resources (the limit; raise it with --max-resources)",
            )


class _DataNS(Namespace):
    def __init__(self, path: str = "data") -> None:
        self.path = path

    def attr(self, name: str) -> Any:
        if self.path.count(".") >= 2:
            return Unknown(f"`{self.path}` is read from the cloud at plan time")
        return _DataNS(f"{self.path}.{name}")


class _LocalsNS(Namespace):
    def __init__(self, mod: Module) -> None:
        self.mod = mod

    def attr(self, name: str) -> Any:
        return self.mod.local(name)


class _ResourceTypeNS(Namespace):
    def __init__(self, mod: Module, rtype: str) -> None:
        self.mod, self.rtype = mod, rtype

    def attr(self, name: str) -> Any:
        if (self.rtype, name) not in self.mod.resources:
            raise EvalError(f"no resource `{self.rtype}.{excerpt(name, 40)}`")
        return self.mod.resource_value(self.rtype, name)


class ResourceView(Namespace):
    """One resource instance as other expressions see it: configured attributes, evaluated on
    demand; anything else is computed by the provider (known after apply)."""

    def __init__(self, mod: Module, rtype: str, name: str, bindings: dict[str, Any]) -> None:
        self.mod, self.rtype, self.name, self.bindings = mod, rtype, name, bindings
        self.cache: dict[str, Any] = {}

    def attr(self, name: str) -> Any:
        if name in self.cache:
            return self.cache[name]
        body = self.mod.resources[(self.rtype, self.name)][0]
        raw = body.get(name)
        if raw is None and name not in body:
            return Unknown(f"`{self.rtype}.{self.name}.{name}` is known only after apply")
        key = f"{self.mod.prefix}{self.rtype}.{self.name}.{name}#{id(self)}"
        if key in self.mod.load.resolving:
            raise Unresolved(f"`{self.rtype}.{self.name}.{name}` refers to itself")
        self.mod.load.resolving.add(key)
        try:
            v = self.mod.value(raw, self.mod.scope(self.bindings))
        finally:
            self.mod.load.resolving.discard(key)
        self.cache[name] = v
        return v


class _ModuleCallsNS(Namespace):
    def __init__(self, mod: Module) -> None:
        self.mod = mod

    def attr(self, name: str) -> Any:
        inst = self.mod.module_instances(name)
        if isinstance(inst, Unknown):
            return inst
        kind, children = inst
        if kind == "single":
            return _OutputsNS(children[0][1])
        if kind == "count":
            return [_OutputsNS(c) for _, c in children]
        return {str(k): _OutputsNS(c) for k, c in children}


class _OutputsNS(Namespace):
    def __init__(self, mod: Module | Unknown) -> None:
        self.mod = mod

    def attr(self, name: str) -> Any:
        if isinstance(self.mod, Unknown):
            return self.mod
        return self.mod.output(name)


class Module:
    """One instance of a module (the root, or a call's instance): its blocks and values."""

    def __init__(
        self,
        load: Load,
        folder: Path,
        files: dict[Path, dict[str, Any]],
        prefix: str,
        inputs: dict[str, Any],
        providers: dict[str, tuple[Module, dict[str, Any]]],
        depth: int = 0,
    ) -> None:
        self.load, self.folder, self.files, self.prefix, self.depth = (
            load, folder, files, prefix, depth
        )  # fmt: skip
        self.locals_raw: dict[str, Any] = {}
        self.resources: dict[tuple[str, str], tuple[dict[str, Any], Path]] = {}
        self.calls: dict[str, tuple[dict[str, Any], Path]] = {}
        self.outputs_raw: dict[str, Any] = {}
        self.providers = dict(providers)
        self.variables: dict[str, Any] = {}
        declared: dict[str, dict[str, Any]] = {}
        for path, doc in files.items():
            for block in doc.get("locals", []):
                self.locals_raw.update({k: v for k, v in block.items() if k != "__is_block__"})
            for block in doc.get("resource", []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        self.resources[(unquote(rtype), unquote(name))] = (body, path)
            for block in doc.get("module", []):
                for name, body in block.items():
                    self.calls[unquote(name)] = (body, path)
            for block in doc.get("output", []):
                for name, body in block.items():
                    self.outputs_raw[unquote(name)] = body.get("value")
            for block in doc.get("variable", []):
                for name, body in block.items():
                    declared[unquote(name)] = body
            for block in doc.get("provider", []):
                for pname, body in block.items():
                    alias = body.get("alias")
                    key = unquote(pname)
                    if isinstance(alias, str):
                        key += "." + unquote(alias)
                    self.providers[key] = (self, body)
        self.types = {t for t, _ in self.resources}
        self._locals: dict[str, Any] = {}
        self._instances: dict[str, Any] = {}
        self._resource_values: dict[tuple[str, str], Any] = {}
        self.functions = dict(FUNCTIONS)
        self.functions.update(
            file=self._file, fileexists=self._fileexists, templatefile=self._templatefile
        )
        self.ev = Evaluator(load.budget, self.functions)
        rel = folder.relative_to(load.root) if folder.is_relative_to(load.root) else folder
        self.path_ns = {"module": rel.as_posix() or ".", "root": ".", "cwd": "."}
        empty = Scope(self._resolve)
        for name, body in declared.items():
            if name in inputs:
                self.variables[name] = _typed(inputs[name], body)
            elif "default" in body:
                self.variables[name] = self.value(body["default"], empty)
            else:
                self.variables[name] = Unknown(
                    f"variable `{name}` has no value (give --var or --var-file)"
                )
        if not prefix:  # the root also sees values given for undeclared variables
            self.variables.update({k: v for k, v in inputs.items() if k not in declared})

    # ---- scopes and values -----------------------------------------------------------------
    def scope(self, bindings: dict[str, Any] | None = None) -> Scope:
        return Scope(self._resolve, bindings or {})

    def _resolve(self, name: str) -> Any:
        if name == "var":
            return self.variables
        if name == "local":
            return _LocalsNS(self)
        if name == "data":
            return _DataNS()
        if name == "module":
            return _ModuleCallsNS(self)
        if name == "path":
            return self.path_ns
        if name == "terraform":
            return {"workspace": "default"}
        if name in ("each", "count", "self"):
            raise Unresolved(f"`{name}` used outside count/for_each")
        if name in self.types:
            return _ResourceTypeNS(self, name)
        if name.split("_", 1)[0] in ("aws", "google", "azurerm", "random", "tls", "null"):
            raise EvalError(f"no resource of type `{excerpt(name, 40)}` in this module")
        raise Unresolved(f"`{excerpt(name, 40)}` is not defined in this module")

    def value(self, raw: Any, scope: Scope) -> Any:
        """Evaluate a python-hcl2 value; what cannot be known becomes Unknown (with why)."""
        if isinstance(raw, dict):
            if _is_block(raw):
                return self.body(raw, scope, meta=_NESTED_META)
            out: dict[str, Any] = {}
            for k, v in raw.items():
                key = unquote(k)
                if key.startswith("${") and key.endswith("}"):
                    kv = self.value(key, scope)
                    if isinstance(kv, Unknown):
                        return kv
                    key = to_str(kv)
                out[key] = self.value(v, scope)
            return out
        if isinstance(raw, list):
            return [self.value(v, scope) for v in raw]
        if isinstance(raw, bool) or raw is None:
            return raw
        if isinstance(raw, float):
            return _float(raw)
        if isinstance(raw, int):
            return check_number(raw)
        if not isinstance(raw, str):
            return raw
        if not (raw.startswith("${") or raw.startswith('"')):
            return raw
        try:
            return self.ev.ev(self.load.parse(raw), scope)
        except Unresolved as u:
            return Unknown(u.why)
        except EvalError as e:
            return Unknown(f"`{excerpt(raw.removeprefix('${').removesuffix('}'))}`: {e}")
        except LimitError as e:
            raise GateInputError(str(self.folder), f"`{excerpt(raw)}`: {e}") from None
        except RecursionError:
            raise GateInputError(
                str(self.folder), f"`{excerpt(raw)}`: nested too deeply to evaluate"
            ) from None

    def body(
        self, raw: dict[str, Any], scope: Scope, meta: frozenset[str] = _META
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in raw.items():
            if k in meta:
                continue
            try:
                out[unquote(k)] = self.value(v, scope)
            except GateInputError as e:  # name the attribute (e.g. a numeric overflow in `size`)
                raise GateInputError(e.source, f"`{unquote(k)}`: {e.problem}") from None
        for dyn in raw.get("dynamic") or []:
            if not isinstance(dyn, dict):
                continue
            for bname, spec in dyn.items():
                self._dynamic(unquote(bname), spec, scope, out)
        return out

    def _dynamic(self, name: str, spec: Any, scope: Scope, out: dict[str, Any]) -> None:
        if not isinstance(spec, dict):
            return
        coll = self.value(spec.get("for_each"), scope)
        if isinstance(coll, Unknown):
            out[name] = Unknown(f"dynamic `{name}` blocks: {coll.why}")
            return
        it = spec.get("iterator")
        it_name = unquote(str(it)).removeprefix("${").removesuffix("}") if it else name
        contents = spec.get("content") or []
        content = contents[0] if isinstance(contents, list) and contents else {}
        items = list(enumerate(coll)) if isinstance(coll, list) else sorted(coll.items())
        blocks = out.setdefault(name, []) if not isinstance(out.get(name), Unknown) else []
        if not isinstance(blocks, list):
            blocks = out[name] = [blocks]
        self.load.budget.elements(len(items), f"dynamic `{name}`")
        for k, v in items:
            if isinstance(content, dict):
                blocks.append(
                    self.body(content, scope.child({it_name: {"key": k, "value": v}}), _NESTED_META)
                )

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name not in self.locals_raw:
            raise EvalError(f"local `{excerpt(name, 40)}` is not defined")
        key = f"{self.prefix}local.{name}"
        if key in self.load.resolving:
            raise Unresolved(f"local `{name}` refers to itself")
        self.load.resolving.add(key)
        try:
            v = self.value(self.locals_raw[name], self.scope())
        finally:
            self.load.resolving.discard(key)
        self._locals[name] = v
        return v

    def output(self, name: str) -> Any:
        if name not in self.outputs_raw:
            raise EvalError(f"the module has no output `{excerpt(name, 40)}`")
        return self.value(self.outputs_raw[name], self.scope())

    # ---- expansion ---------------------------------------------------------------------------
    def expand(self, kind: str, name: str, raw: dict[str, Any], src: Path) -> Any:
        """`("single" | "count" | "each", [(key, bindings)])`, or Unknown when the count or
        for_each depends on something known only after apply. Bad values are exit 2."""
        where = f"{self.prefix}{kind}{name}"
        if "count" in raw:
            n = self.value(raw["count"], self.scope())
            if isinstance(n, Unknown):
                return Unknown(f"`count` of {where} is unknown before apply ({n.why})")
            if isinstance(n, str) and re.fullmatch(r"-?\d+(\.\d+)?", n.strip()):
                n = norm(check_number(int(n)) if n.strip().lstrip("-").isdigit() else to_decimal(n))
            if isinstance(n, bool) or not isinstance(n, int):
                if n is None:
                    return ("count", [])
                raise GateInputError(
                    str(src), f"{where}: `count` must be a whole number, got {excerpt(str(n), 30)}"
                )
            if n < 0:
                raise GateInputError(str(src), f"{where}: `count` is negative ({n})")
            self.load.add_resources(n, where, str(src))
            return ("count", [(i, {"count": {"index": i}}) for i in range(n)])
        if "for_each" in raw:
            fe = self.value(raw["for_each"], self.scope())
            if isinstance(fe, Unknown):
                return Unknown(f"`for_each` of {where} is unknown before apply ({fe.why})")
            if isinstance(fe, dict):
                pairs = [(k, fe[k]) for k in sorted(fe)]
            elif isinstance(fe, list):
                keys: list[str] = []
                for x in fe:
                    if isinstance(x, Unknown):
                        return Unknown(f"`for_each` of {where} is unknown before apply ({x.why})")
                    if not isinstance(x, str | int) or isinstance(x, bool):
                        raise GateInputError(
                            str(src), f"{where}: `for_each` must be a map or a set of strings"
                        )
                    if to_str(x) not in keys:
                        keys.append(to_str(x))
                pairs = [(k, k) for k in sorted(keys)]
            else:
                raise GateInputError(
                    str(src),
                    f"{where}: `for_each` must be a map or a set of strings, "
                    f"got {excerpt(str(fe), 30)}",
                )
            self.load.add_resources(len(pairs), where, str(src))
            return ("each", [(k, {"each": {"key": k, "value": v}}) for k, v in pairs])
        self.load.add_resources(1, where, str(src))
        return ("single", [(None, {})])

    def resource_value(self, rtype: str, name: str) -> Any:
        key = (rtype, name)
        if key in self._resource_values:
            return self._resource_values[key]
        body, src = self.resources[key]
        guard = f"{self.prefix}{rtype}.{name}#expand"
        if guard in self.load.resolving:
            raise Unresolved(f"`{rtype}.{name}` refers to itself")
        self.load.resolving.add(guard)
        saved = self.load.resources
        try:
            inst = self.expand(f"{rtype}.", name, body, src)
        finally:
            self.load.resolving.discard(guard)
            self.load.resources = saved  # counted when the resource itself is collected
        if isinstance(inst, Unknown):
            v: Any = inst
        else:
            kind, items = inst
            views = [(k, ResourceView(self, rtype, name, b)) for k, b in items]
            v = (
                views[0][1]
                if kind == "single"
                else [x for _, x in views]
                if kind == "count"
                else dict(views)
            )
        self._resource_values[key] = v
        return v

    def module_instances(self, name: str) -> Any:
        if name in self._instances:
            return self._instances[name]
        if name not in self.calls:
            raise EvalError(f"no module `{excerpt(name, 40)}`")
        body, src = self.calls[name]
        inst = self.expand("module.", name, body, src)
        if isinstance(inst, Unknown):
            self._instances[name] = inst
            return inst
        kind, items = inst
        children: list[tuple[Any, Module | Unknown]] = []
        for k, b in items:
            suffix = "" if kind == "single" else f"[{k}]" if kind == "count" else f'["{k}"]'
            children.append((k, self._child(name, body, src, b, suffix)))
        self._instances[name] = (kind, children)
        return self._instances[name]

    def _child(
        self, name: str, body: dict[str, Any], src: Path, bindings: dict[str, Any], suffix: str
    ) -> Module | Unknown:
        source = self.value(body.get("source"), self.scope())
        prefix = f"{self.prefix}module.{name}{suffix}."
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            return Unknown(
                f"module `{prefix[:-1]}` comes from `{excerpt(str(source), 60)}`, which is not "
                "a local folder: run `terraform plan` and gate the plan JSON"
            )
        if self.depth >= MAX_MODULE_DEPTH:
            raise GateInputError(str(src), f"{prefix[:-1]}: modules nested too deeply")
        folder = self.folder / source
        if not _inside(folder, self.load.boundary):
            return Unknown(
                f"module `{prefix[:-1]}` source `{excerpt(source, 60)}` is outside the folder "
                "given (pass a wider --root to read it)"
            )
        folder = folder.resolve()
        tf_files = sorted(folder.glob("*.tf")) if folder.is_dir() else []
        if not tf_files:
            return Unknown(f"module `{prefix[:-1]}`: no .tf files in `{excerpt(source, 60)}`")
        files = {f: parse_file(f, self.load.boundary) for f in tf_files}
        scope = self.scope(bindings)
        inputs = {
            unquote(k): self.value(v, scope)
            for k, v in body.items()
            if k not in _META and k not in ("source", "version", "providers")
        }
        providers = dict(self.providers)
        mapping = body.get("providers")
        if isinstance(mapping, dict):
            for child_key, parent_ref in mapping.items():
                ref = str(parent_ref).removeprefix("${").removesuffix("}")
                if ref in self.providers:
                    providers[unquote(child_key)] = self.providers[ref]
        return Module(self.load, folder, files, prefix, inputs, providers, self.depth + 1)

    # ---- file functions (inside the boundary only) ---------------------------------------------
    def _path(self, p: Any) -> Path:
        path = self.load.root / to_str(p)
        if not _inside(path, self.load.boundary):
            raise EvalError(f"`{excerpt(to_str(p), 60)}` is outside the folder given; not read")
        return path

    def _file(self, ev: Evaluator, p: Any) -> str:
        path = self._path(p)
        try:
            return _read_checked(path, self.load.boundary)
        except GateInputError as e:
            raise EvalError(e.problem) from None

    def _fileexists(self, ev: Evaluator, p: Any) -> bool:
        return self._path(p).is_file()

    def _templatefile(self, ev: Evaluator, p: Any, variables: Any) -> Any:
        from iac_gate.hcl_parse import Parser

        text = self._file(ev, p)
        parser = Parser(text)
        try:
            parts = parser.template(None)
        except HclSyntaxError as e:
            raise EvalError(str(e)) from None
        vs = variables if isinstance(variables, dict) else {}
        return ev.template(parts, Scope(lambda n: vs[n] if n in vs else _no_var(n), {}))

    # ---- regions -------------------------------------------------------------------------------
    def provider_region(self, key: str) -> str | None:
        found = self.providers.get(key)
        if found is None:
            return None
        mod, body = found
        for attr in ("region", "location", "zone"):
            if attr in body:
                r = mod.value(body[attr], mod.scope())
                if isinstance(r, str) and r:
                    if attr == "zone" and re.search(r"-[a-z]$", r):
                        return r.rsplit("-", 1)[0]
                    return r
        return None


def _no_var(name: str) -> Any:
    raise EvalError(f"templatefile(): no variable `{excerpt(name, 40)}`")


def to_decimal(s: str) -> Any:
    from decimal import Decimal

    return Decimal(s.strip())


def _float(f: float) -> Any:
    from decimal import Decimal

    if f != f or f in (float("inf"), float("-inf")):
        raise LimitError("numeric overflow: a number beyond the float64 range")
    return norm(Decimal(str(f)))


def _typed(value: Any, decl: dict[str, Any]) -> Any:
    """A module input or CLI value converted by the variable's declared primitive type."""
    t = str(decl.get("type", "")).removeprefix("${").removesuffix("}")
    if isinstance(value, str) and t == "number" and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        return norm(to_decimal(value))
    if isinstance(value, str) and t == "bool" and value in ("true", "false"):
        return value == "true"
    return value
