"""Evaluate the HCL AST of `iac_gate.hcl_parse` the way Terraform does, statically.

Values are Python values: `None` (null), `bool`, `int` / `Decimal` (numbers; never floats),
`str`, `list` (tuples, lists, sets), `dict` (objects, maps). A value only known after apply is an
`iac_gate.model.Unknown`; any operation on it raises `Unresolved` and the attribute being
evaluated becomes Unknown with the reason. A real error (a type mismatch, a missing key) raises
`EvalError`, which `try()` / `can()` catch. References to names outside the expression (`var`,
`local`, resources, modules, `each`, `count`, iterators) go through a `Scope`.

Every evaluation is bounded: a `Budget` counts work and elements created, and checks a deadline,
so `range(1e9)` or a `setproduct` of large lists stops with a named error instead of exhausting
time or memory. Numbers beyond the float64 range (what providers accept) are a named overflow.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import Any

from iac_gate.hcl_parse import Node, excerpt
from iac_gate.model import Unknown

MAX_NUMBER = Decimal("1.7976931348623157e308")


class Unresolved(Exception):
    """The value depends on something only known after apply (or not given)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class EvalError(Exception):
    """The expression is wrong for its values (Terraform would report an error)."""


class LimitError(Exception):
    """An evaluation bound was reached (time, elements, numeric range); exit 2, named."""


class Budget:
    """Bounds of one evaluation run: work steps, elements created, wall time."""

    def __init__(
        self, max_elements: int = 2_000_000, seconds: float = 10.0, max_steps: int = 20_000_000
    ) -> None:
        self.max_elements = max_elements
        self.max_steps = max_steps
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.steps = 0

    def tick(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.max_steps or (
            self.steps & 0x3FF == 0 and time.monotonic() > self.deadline
        ):
            raise LimitError(f"evaluation took longer than its bound ({self.seconds:g} s)")

    def elements(self, n: int, what: str) -> None:
        if n > self.max_elements:
            raise LimitError(
                f"{what} would create {n:,} elements (limit {self.max_elements:,}): "
                "refusing to exhaust memory"
            )
        self.tick(n)


class Namespace:
    """A lazily evaluated object: `local`, a resource, a module's outputs."""

    def attr(self, name: str) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def as_value(self) -> Any:
        """The whole object as a plain value (for `jsonencode(local)`-style uses)."""
        raise Unresolved("a whole namespace is not a value")


Resolver = Callable[[str], Any]


class Scope:
    """Names visible to an expression: iteration variables, then the module's roots."""

    def __init__(
        self,
        resolver: Resolver,
        bindings: dict[str, Any] | None = None,
        parent: Scope | None = None,
    ) -> None:
        self.resolver = resolver
        self.bindings = bindings or {}
        self.parent = parent

    def child(self, bindings: dict[str, Any]) -> Scope:
        return Scope(self.resolver, bindings, self)

    def lookup(self, name: str) -> Any:
        s: Scope | None = self
        while s is not None:
            if name in s.bindings:
                return s.bindings[name]
            s = s.parent
        return self.resolver(name)


def check_number(v: Any) -> Any:
    if isinstance(v, Decimal) and (not v.is_finite() or abs(v) > MAX_NUMBER):
        raise LimitError(f"numeric overflow: {excerpt(str(v), 30)} is beyond the float64 range")
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_NUMBER:
        raise LimitError(f"numeric overflow: {excerpt(str(v), 30)} is beyond the float64 range")
    return v


def norm(v: Decimal | int) -> int | Decimal:
    """Integral numbers are ints; others stay Decimal."""
    if isinstance(v, Decimal):
        check_number(v)
        if v == v.to_integral_value():
            return int(v)
        return v.normalize()
    return check_number(v)


def known(v: Any) -> Any:
    if isinstance(v, Unknown):
        raise Unresolved(v.why)
    if isinstance(v, Namespace):
        return v.as_value()
    return v


def deep_known(v: Any, budget: Budget | None = None) -> Any:
    """The value with namespaces turned into plain values; Unresolved if anything is unknown."""
    v = known(v)
    if budget is not None:
        budget.tick()
    if isinstance(v, list):
        return [deep_known(x, budget) for x in v]
    if isinstance(v, dict):
        return {k: deep_known(x, budget) for k, x in v.items()}
    return v


def to_number(v: Any) -> int | Decimal:
    v = known(v)
    if isinstance(v, bool):
        raise EvalError("a bool is not a number")
    if isinstance(v, int | Decimal):
        return v
    if isinstance(v, float):
        return norm(Decimal(str(v)))
    if isinstance(v, str):
        try:
            return norm(Decimal(v.strip()))
        except InvalidOperation:
            raise EvalError(f"`{excerpt(v, 30)}` is not a number") from None
    raise EvalError(f"a {type_name(v)} is not a number")


def to_bool(v: Any) -> bool:
    v = known(v)
    if isinstance(v, bool):
        return v
    if v in ("true", "false"):
        return v == "true"
    raise EvalError(f"a {type_name(v)} is not a bool")


def to_str(v: Any) -> str:
    v = known(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    if isinstance(v, float):
        return format(Decimal(str(v)).normalize(), "f")
    if isinstance(v, str):
        return v
    if v is None:
        raise EvalError("a null value cannot be used in a string")
    raise EvalError(f"a {type_name(v)} cannot be used as a string")


def type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int | Decimal | float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    return "object"


def get_attr(v: Any, name: str) -> Any:
    if isinstance(v, Unknown):
        return v
    if isinstance(v, Namespace):
        return v.attr(name)
    if isinstance(v, dict):
        if name in v:
            return v[name]
        raise EvalError(f"no attribute `{excerpt(name, 40)}`")
    if isinstance(v, list) and name.isdigit():
        return index(v, int(name))
    if v is None:
        raise EvalError(f"attribute `{excerpt(name, 40)}` of a null value")
    raise EvalError(f"a {type_name(v)} has no attribute `{excerpt(name, 40)}`")


def index(v: Any, key: Any) -> Any:
    if isinstance(v, Unknown):
        return v
    key = known(key)
    if isinstance(v, Namespace):
        return v.attr(to_str(key))
    if isinstance(v, list):
        i = to_number(key)
        if not isinstance(i, int) or isinstance(i, bool):
            raise EvalError(f"list index {excerpt(str(i), 20)} is not a whole number")
        if not 0 <= i < len(v):
            raise EvalError(f"index {i} out of range for a list of {len(v)}")
        return v[i]
    if isinstance(v, dict):
        k = to_str(key)
        if k in v:
            return v[k]
        raise EvalError(f"no key `{excerpt(k, 40)}` in the map")
    if v is None:
        raise EvalError("index into a null value")
    raise EvalError(f"a {type_name(v)} cannot be indexed")


def equal(a: Any, b: Any) -> bool:
    a, b = known(a), known(b)
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, int | Decimal) and isinstance(b, int | Decimal):
        return Decimal(a) == Decimal(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return bool(type(a) is type(b) and a == b)


class Evaluator:
    """Walks an AST in a scope. `functions` maps names to callables taking (evaluator, args)."""

    def __init__(self, budget: Budget, functions: dict[str, Callable[..., Any]]) -> None:
        self.budget = budget
        self.functions = functions

    def ev(self, node: Node, scope: Scope) -> Any:
        self.budget.tick()
        kind = node[0]
        if kind == "lit":
            v = node[1]
            return check_number(v) if isinstance(v, Decimal | int) else v
        if kind == "paren":
            return self.ev(node[1], scope)
        if kind == "var":
            return scope.lookup(node[1])
        if kind == "attr":
            return get_attr(self.ev(node[1], scope), node[2])
        if kind == "index":
            return index(self.ev(node[1], scope), self.ev(node[2], scope))
        if kind == "tmpl":
            return self.template(node[1], scope)
        if kind == "tuple":
            return [self.ev(n, scope) for n in node[1]]
        if kind == "object":
            out: dict[str, Any] = {}
            for k, v in node[1]:
                out[to_str(self.ev(k, scope))] = self.ev(v, scope)
            return out
        if kind == "cond":
            return self.ev(node[2] if to_bool(self.ev(node[1], scope)) else node[3], scope)
        if kind == "unop":
            v = self.ev(node[2], scope)
            if node[1] == "!":
                return not to_bool(v)
            return norm(-to_number(v))
        if kind == "binop":
            return self.binop(node[1], node[2], node[3], scope)
        if kind == "call":
            return self.call(node[1], node[2], node[3], scope)
        if kind == "for":
            return self.for_expr(node, scope)
        if kind == "splat":
            return self.splat(node, scope)
        raise EvalError(f"cannot evaluate a `{kind}` expression")

    def binop(self, op: str, ln: Node, rn: Node, scope: Scope) -> Any:
        if op == "&&":
            return to_bool(self.ev(ln, scope)) and to_bool(self.ev(rn, scope))
        if op == "||":
            return to_bool(self.ev(ln, scope)) or to_bool(self.ev(rn, scope))
        a, b = self.ev(ln, scope), self.ev(rn, scope)
        if op == "==":
            return equal(a, b)
        if op == "!=":
            return not equal(a, b)
        x, y = to_number(a), to_number(b)
        try:
            if op == "+":
                return norm(Decimal(x) + Decimal(y))
            if op == "-":
                return norm(Decimal(x) - Decimal(y))
            if op == "*":
                return norm(Decimal(x) * Decimal(y))
            if op == "/":
                if y == 0:
                    raise EvalError("division by zero")
                return norm(Decimal(x) / Decimal(y))
            if op == "%":
                if y == 0:
                    raise EvalError("modulo by zero")
                return norm(Decimal(x) % Decimal(y))
        except (Overflow, InvalidOperation, DivisionByZero):
            raise LimitError(f"numeric overflow in `{op}`") from None
        return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]

    def template(self, parts: list[Any], scope: Scope) -> Any:
        if len(parts) == 1 and isinstance(parts[0], tuple) and parts[0][0] == "interp":
            return self.ev(parts[0][1], scope)  # "${x}" alone keeps x's type
        out: list[str] = []
        size = 0
        for p in parts:
            if isinstance(p, str):
                out.append(p)
            elif p[0] == "interp":
                out.append(to_str(self.ev(p[1], scope)))
            elif p[0] == "if":
                branch = p[2] if to_bool(self.ev(p[1], scope)) else p[3]
                out.append(to_str(self.template(branch, scope)) if branch else "")
            else:  # for
                _, kv, vv, coll, body = p
                for k, v in self._items(self.ev(coll, scope)):
                    b = {vv: v} if kv is None else {kv: k, vv: v}
                    out.append(to_str(self.template(body, scope.child(b))) if body else "")
            size += len(out[-1]) if out else 0
            self.budget.elements(size, "a string template")
        return "".join(out)

    def _items(self, coll: Any) -> list[tuple[Any, Any]]:
        coll = known(coll)
        if isinstance(coll, list):
            return list(enumerate(coll))
        if isinstance(coll, dict):
            return [(k, coll[k]) for k in sorted(coll)]
        if coll is None:
            raise EvalError("cannot iterate over a null value")
        raise EvalError(f"cannot iterate over a {type_name(coll)}")

    def for_expr(self, node: Node, scope: Scope) -> Any:
        _, is_obj, kv, vv, coll, kexpr, vexpr, cond, group = node
        items = self._items(self.ev(coll, scope))
        self.budget.elements(len(items), "a `for` expression")
        if not is_obj:
            out_list: list[Any] = []
            for k, v in items:
                s = scope.child({vv: v} if kv is None else {kv: k, vv: v})
                if cond is None or to_bool(self.ev(cond, s)):
                    out_list.append(self.ev(vexpr, s))
            return out_list
        out: dict[str, Any] = {}
        for k, v in items:
            s = scope.child({vv: v} if kv is None else {kv: k, vv: v})
            if cond is not None and not to_bool(self.ev(cond, s)):
                continue
            key = to_str(self.ev(kexpr, s))
            val = self.ev(vexpr, s)
            if group:
                out.setdefault(key, []).append(val)
            elif key in out:
                raise EvalError(f"duplicate key `{excerpt(key, 40)}` in a `for` expression")
            else:
                out[key] = val
        return out

    def splat(self, node: Node, scope: Scope) -> Any:
        base = self.ev(node[1], scope)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return []
        elems = base if isinstance(base, list) else [base]  # a single value splats as [value]
        out = []
        for e in elems:
            for op in node[2]:
                e = get_attr(e, op[1]) if op[0] == "attr" else index(e, self.ev(op[1], scope))
            out.append(e)
        return out

    def call(self, name: str, arg_nodes: list[Node], expand: bool, scope: Scope) -> Any:
        if name in ("try", "can"):
            return self._try(name, arg_nodes, scope)
        fn = self.functions.get(name.rsplit("::", 1)[-1])
        if fn is None:
            raise Unresolved(f"function `{excerpt(name, 30)}()` is not evaluated offline")
        args = [self.ev(a, scope) for a in arg_nodes]
        if expand and args:
            last = known(args.pop())
            if not isinstance(last, list):
                raise EvalError("`...` expands a list")
            args.extend(last)
        try:
            return fn(self, *args)
        except TypeError as e:
            if "positional argument" in str(e) or "takes" in str(e):
                raise EvalError(f"{name}(): wrong number of arguments") from None
            raise EvalError(f"{name}(): {excerpt(str(e), 80)}") from None
        except (ValueError, KeyError, IndexError, AttributeError, ArithmeticError) as e:
            if isinstance(e, Overflow):
                raise LimitError(f"numeric overflow in {name}()") from None
            raise EvalError(f"{name}(): {excerpt(str(e), 80)}") from None

    def _try(self, name: str, arg_nodes: list[Node], scope: Scope) -> Any:
        for a in arg_nodes:
            try:
                v = deep_known(self.ev(a, scope), self.budget)
            except EvalError:
                continue
            return True if name == "can" else v
        if name == "can":
            return False
        raise EvalError("try(): no argument could be evaluated")
