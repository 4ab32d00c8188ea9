"""Terraform's built-in functions, as documented at developer.hashicorp.com/terraform/language/
functions, for the evaluator in `iac_gate.hcl_eval`.

Each function takes the evaluator (for its budget) and the evaluated arguments. Functions whose
result exists only at apply time (`uuid`, `timestamp`, `bcrypt`) or that read outside the folder
are left out: calling them makes the value unknown, never a guess. `file()` and friends read only
inside the folder given (see `iac_gate.hcl`), through a reader the loader passes in.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from iac_gate.hcl_eval import (
    EvalError,
    Evaluator,
    deep_known,
    equal,
    known,
    norm,
    to_bool,
    to_number,
    to_str,
    type_name,
)

Fn = Callable[..., Any]


def _list(v: Any, what: str = "argument") -> list[Any]:
    v = known(v)
    if isinstance(v, list):
        return v
    raise EvalError(f"{what} must be a list, not a {type_name(v)}")


def _map(v: Any, what: str = "argument") -> dict[str, Any]:
    v = known(v)
    if isinstance(v, dict):
        return v
    raise EvalError(f"{what} must be a map or object, not a {type_name(v)}")


def _int(v: Any) -> int:
    n = to_number(v)
    if not isinstance(n, int):
        raise EvalError(f"{n} is not a whole number")
    return n


def _distinct(ev: Evaluator, items: list[Any]) -> list[Any]:
    out: list[Any] = []
    seen: set[str] = set()
    for x in items:
        ev.budget.tick()
        key = json.dumps(deep_known(x, ev.budget), sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


def _flatten(ev: Evaluator, v: Any) -> list[Any]:
    out: list[Any] = []

    def walk(x: Any, depth: int) -> None:
        if depth > 100:
            raise EvalError("flatten(): nested too deeply")
        x = known(x)
        if isinstance(x, list):
            for y in x:
                walk(y, depth + 1)
        else:
            out.append(x)
            ev.budget.elements(len(out), "flatten()")

    for y in _list(v):
        walk(y, 0)
    return out


def _setproduct(ev: Evaluator, *sets: Any) -> list[Any]:
    lists = [_list(s) for s in sets]
    n = 1
    for s in lists:
        n *= len(s)
        ev.budget.elements(n, "setproduct()")
    out: list[list[Any]] = [[]]
    for s in lists:
        out = [prev + [x] for prev in out for x in s]
    return out


def _range(ev: Evaluator, *args: Any) -> list[Any]:
    nums = [to_number(a) for a in args]
    if len(nums) == 1:
        start, stop, step = Decimal(0), Decimal(nums[0]), Decimal(1)
    elif len(nums) in (2, 3):
        start, stop = Decimal(nums[0]), Decimal(nums[1])
        step = Decimal(nums[2]) if len(nums) == 3 else Decimal(1 if stop >= start else -1)
    else:
        raise EvalError("range() takes 1 to 3 arguments")
    if step == 0:
        raise EvalError("range(): step must not be zero")
    count = max(0, math.ceil((stop - start) / step))
    ev.budget.elements(count, "range()")
    return [norm(start + i * step) for i in range(count)]


def _format(ev: Evaluator, spec: Any, *args: Any) -> str:
    spec = to_str(spec)
    vals = list(args)
    out: list[str] = []
    i = 0
    pos = 0
    for m in re.finditer(
        r"%(?:%|(?:\[(\d+)\])?([-+ #0]*)(\d*)(?:\.(\d+))?([vdfsqtbeEgGxXo]))", spec
    ):
        out.append(spec[pos : m.start()])
        pos = m.end()
        if m.group(0) == "%%":
            out.append("%")
            continue
        if m.group(1):
            i = int(m.group(1)) - 1
        if i >= len(vals):
            raise EvalError("format(): not enough arguments")
        v, verb, flags, width, prec = vals[i], m.group(5), m.group(2), m.group(3), m.group(4)
        i += 1
        if verb == "d":
            s = str(_int(v))
        elif verb in "fFeEgG":
            d = Decimal(to_number(v))
            s = format(d, f".{prec or 6}{verb}")
        elif verb == "q":
            s = json.dumps(to_str(v))
        elif verb == "t":
            s = "true" if to_bool(v) else "false"
        elif verb in "xXob":
            s = format(_int(v), verb)
        elif verb == "v" and isinstance(known(v), list | dict):
            s = json.dumps(deep_known(v, ev.budget), default=str, separators=(",", ":"))
        else:
            s = to_str(v)
        if width:
            w = min(int(width), 10_000)
            s = s.ljust(w) if "-" in flags else s.rjust(w, "0" if "0" in flags else " ")
        out.append(s)
    out.append(spec[pos:])
    return "".join(out)


def _formatlist(ev: Evaluator, spec: Any, *args: Any) -> list[str]:
    lens = {len(a) for a in (known(x) for x in args) if isinstance(a, list)}
    if len(lens) > 1:
        raise EvalError("formatlist(): lists of different lengths")
    n = lens.pop() if lens else 1
    ev.budget.elements(n, "formatlist()")
    return [
        _format(ev, spec, *[known(a)[i] if isinstance(known(a), list) else a for a in args])
        for i in range(n)
    ]


def _concat(ev: Evaluator, lists: tuple[Any, ...]) -> list[Any]:
    parts = [_list(x) for x in lists]
    ev.budget.elements(sum(len(x) for x in parts), "concat()")
    return [x for part in parts for x in part]


def _lookup(ev: Evaluator, m: Any, key: Any, *default: Any) -> Any:
    mp, k = _map(m), to_str(key)
    if k in mp:
        return mp[k]
    if default:
        return default[0]
    raise EvalError(f"lookup(): no key `{k[:40]}` and no default")


def _merge(ev: Evaluator, *maps: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in maps:
        m = known(m)
        if m is None:
            continue
        out.update(_map(m))
    return out


def _element(ev: Evaluator, lst: Any, i: Any) -> Any:
    items = _list(lst)
    if not items:
        raise EvalError("element(): empty list")
    return items[_int(i) % len(items)]


def _slice(ev: Evaluator, lst: Any, a: Any, b: Any) -> list[Any]:
    items, i, j = _list(lst), _int(a), _int(b)
    if not 0 <= i <= j <= len(items):
        raise EvalError("slice(): index out of range")
    return items[i:j]


def _zipmap(ev: Evaluator, keys: Any, vals: Any) -> dict[str, Any]:
    ks, vs = _list(keys), _list(vals)
    if len(ks) != len(vs):
        raise EvalError("zipmap(): lists of different lengths")
    return {to_str(k): v for k, v in zip(ks, vs, strict=True)}


def _coalesce(ev: Evaluator, *args: Any) -> Any:
    for a in args:
        a = known(a)
        if a is not None and a != "":
            return a
    raise EvalError("coalesce(): no non-null, non-empty argument")


def _coalescelist(ev: Evaluator, *args: Any) -> Any:
    for a in args:
        if _list(a):
            return a
    raise EvalError("coalescelist(): no non-empty list")


def _one(ev: Evaluator, lst: Any) -> Any:
    items = _list(lst)
    if len(items) > 1:
        raise EvalError("one(): more than one element")
    return items[0] if items else None


def _index(ev: Evaluator, lst: Any, v: Any) -> int:
    for i, x in enumerate(_list(lst)):
        if equal(x, v):
            return i
    raise EvalError("index(): value not in the list")


def _cidrsubnet(ev: Evaluator, prefix: Any, newbits: Any, num: Any) -> str:
    net = ipaddress.ip_network(to_str(prefix), strict=False)
    nb, n = _int(newbits), _int(num)
    new_prefix = net.prefixlen + nb
    if nb < 0 or new_prefix > net.max_prefixlen or not 0 <= n < 2**nb:
        raise EvalError("cidrsubnet(): not enough address space")
    size = 2 ** (net.max_prefixlen - new_prefix)
    addr = int(net.network_address) + n * size
    return str(ipaddress.ip_network((addr, new_prefix)))


def _cidrsubnets(ev: Evaluator, prefix: Any, *bits: Any) -> list[str]:
    net = ipaddress.ip_network(to_str(prefix), strict=False)
    out: list[str] = []
    cur = int(net.network_address)
    for b in bits:
        p = net.prefixlen + _int(b)
        if p > net.max_prefixlen:
            raise EvalError("cidrsubnets(): not enough address space")
        size = 2 ** (net.max_prefixlen - p)
        cur = -(-cur // size) * size
        sub = ipaddress.ip_network((cur, p))
        if not sub.subnet_of(net):  # type: ignore[arg-type]
            raise EvalError("cidrsubnets(): not enough address space")
        out.append(str(sub))
        cur += size
    return out


def _cidrhost(ev: Evaluator, prefix: Any, num: Any) -> str:
    net = ipaddress.ip_network(to_str(prefix), strict=False)
    n = _int(num)
    if not -net.num_addresses <= n < net.num_addresses:
        raise EvalError("cidrhost(): host number out of range")
    base = int(net.network_address) if n >= 0 else int(net.broadcast_address) + 1
    return str(ipaddress.ip_address(base + n))


def _tonumber(ev: Evaluator, v: Any) -> Any:
    return None if known(v) is None else to_number(v)


def _tobool(ev: Evaluator, v: Any) -> Any:
    return None if known(v) is None else to_bool(v)


def _tostring(ev: Evaluator, v: Any) -> Any:
    return None if known(v) is None else to_str(v)


def _toset(ev: Evaluator, v: Any) -> list[Any]:
    return _distinct(ev, _list(v))


def _sort(ev: Evaluator, v: Any) -> list[str]:
    return sorted(to_str(x) for x in _list(v))


def _json(ev: Evaluator, v: Any) -> str:
    def conv(x: Any) -> Any:
        if isinstance(x, Decimal):
            return float(x) if x != x.to_integral_value() else int(x)
        if isinstance(x, list):
            return [conv(y) for y in x]
        if isinstance(x, dict):
            return {k: conv(y) for k, y in x.items()}
        return x

    return json.dumps(conv(deep_known(v, ev.budget)), separators=(",", ":"), sort_keys=True)


def _jsondecode(ev: Evaluator, v: Any) -> Any:
    s = to_str(v)
    ev.budget.elements(len(s), "jsondecode()")

    def conv(x: Any) -> Any:
        if isinstance(x, float):
            return norm(Decimal(str(x)))
        if isinstance(x, list):
            return [conv(y) for y in x]
        if isinstance(x, dict):
            return {k: conv(y) for k, y in x.items()}
        return x

    return conv(json.loads(s, parse_float=Decimal))


def _transpose(ev: Evaluator, m: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, vs in _map(m).items():
        for v in _list(vs):
            out.setdefault(to_str(v), []).append(k)
    return out


def _substr(ev: Evaluator, s: Any, off: Any, length: Any) -> str:
    text, o, n = to_str(s), _int(off), _int(length)
    if o < 0:
        o = max(0, len(text) + o)
    return text[o:] if n < 0 else text[o : o + n]


def _regex(ev: Evaluator, pattern: Any, s: Any) -> Any:
    m = re.search(to_str(pattern), to_str(s))
    if m is None:
        raise EvalError("regex(): no match")
    if m.groupdict():
        return dict(m.groupdict())
    return list(m.groups()) if m.groups() else m.group(0)


def _regexall(ev: Evaluator, pattern: Any, s: Any) -> list[Any]:
    out = []
    for m in re.finditer(to_str(pattern), to_str(s)):
        out.append(dict(m.groupdict()) if m.groupdict() else list(m.groups()) or m.group(0))
    return out


def _replace(ev: Evaluator, s: Any, a: Any, b: Any) -> str:
    text, old, new = to_str(s), to_str(a), to_str(b)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return re.sub(old[1:-1], re.sub(r"\$(\d+)", r"\\\1", new), text)
    out = text.replace(old, new)
    ev.budget.elements(len(out), "replace()")
    return out


def _strrepeat_guard(ev: Evaluator, s: str) -> str:
    ev.budget.elements(len(s), "a string")
    return s


def _sum(ev: Evaluator, lst: Any) -> Any:
    items = _list(lst)
    if not items:
        raise EvalError("sum(): empty list")
    return norm(sum((Decimal(to_number(x)) for x in items), Decimal(0)))


def _minmax(pick: Callable[..., Any]) -> Fn:
    def fn(ev: Evaluator, *args: Any) -> Any:
        if not args:
            raise EvalError("needs at least one number")
        return pick(to_number(a) for a in args)

    return fn


def _chunklist(ev: Evaluator, lst: Any, size: Any) -> list[list[Any]]:
    items, n = _list(lst), _int(size)
    if n < 0:
        raise EvalError("chunklist(): size must not be negative")
    if n == 0:
        return [items]
    return [items[i : i + n] for i in range(0, len(items), n)]


def _setop(kind: str) -> Fn:
    def fn(ev: Evaluator, first: Any, *rest: Any) -> list[Any]:
        out = _distinct(ev, _list(first))
        for other in rest:
            o = _list(other)
            if kind == "union":
                out = _distinct(ev, out + o)
            elif kind == "intersection":
                out = [x for x in out if any(equal(x, y) for y in o)]
            else:
                out = [x for x in out if not any(equal(x, y) for y in o)]
        return out

    return fn


def _signum(ev: Evaluator, v: Any) -> int:
    n = to_number(v)
    return (n > 0) - (n < 0)


def _pow(ev: Evaluator, a: Any, b: Any) -> Any:
    x, y = Decimal(to_number(a)), Decimal(to_number(b))
    if abs(y) > 4096:
        raise EvalError("pow(): exponent out of range")
    return norm(x**y)


def _log(ev: Evaluator, a: Any, b: Any) -> Any:
    return norm(Decimal(str(math.log(float(to_number(a)), float(to_number(b))))))


def _parseint(ev: Evaluator, s: Any, base: Any) -> int:
    return int(to_str(s), _int(base))


def _b64(ev: Evaluator, s: Any) -> str:
    return base64.b64encode(to_str(s).encode()).decode()


def _b64d(ev: Evaluator, s: Any) -> str:
    return base64.b64decode(to_str(s)).decode()


def _hash(algo: str) -> Fn:
    return lambda ev, s: hashlib.new(algo, to_str(s).encode(), usedforsecurity=False).hexdigest()


def _matchkeys(ev: Evaluator, vals: Any, keys: Any, search: Any) -> list[Any]:
    vs, ks, ss = _list(vals), _list(keys), _list(search)
    if len(vs) != len(ks):
        raise EvalError("matchkeys(): lists of different lengths")
    return [v for v, k in zip(vs, ks, strict=True) if any(equal(k, s) for s in ss)]


def _trim(ev: Evaluator, s: Any, chars: Any) -> str:
    return to_str(s).strip(to_str(chars))


def _indent(ev: Evaluator, n: Any, s: Any) -> str:
    pad = " " * min(_int(n), 1000)
    return to_str(s).replace("\n", "\n" + pad)


FUNCTIONS: dict[str, Fn] = {
    # numeric
    "abs": lambda ev, x: norm(abs(Decimal(to_number(x)))),
    "ceil": lambda ev, x: math.ceil(Decimal(to_number(x))),
    "floor": lambda ev, x: math.floor(Decimal(to_number(x))),
    "max": _minmax(max), "min": _minmax(min), "signum": _signum, "pow": _pow, "log": _log,
    "parseint": _parseint, "sum": _sum,
    # strings
    "upper": lambda ev, s: to_str(s).upper(), "lower": lambda ev, s: to_str(s).lower(),
    "title": lambda ev, s: re.sub(r"\b(\w)", lambda m: m.group(1).upper(), to_str(s)),
    "trimspace": lambda ev, s: to_str(s).strip(), "trim": _trim,
    "trimprefix": lambda ev, s, p: to_str(s).removeprefix(to_str(p)),
    "trimsuffix": lambda ev, s, p: to_str(s).removesuffix(to_str(p)),
    "chomp": lambda ev, s: to_str(s).rstrip("\r\n"),
    "startswith": lambda ev, s, p: to_str(s).startswith(to_str(p)),
    "endswith": lambda ev, s, p: to_str(s).endswith(to_str(p)),
    "strcontains": lambda ev, s, p: to_str(p) in to_str(s),
    "strrev": lambda ev, s: to_str(s)[::-1], "substr": _substr, "indent": _indent,
    "join": lambda ev, sep, lst: _strrepeat_guard(ev, to_str(sep).join(to_str(x) for x in _list(lst))),
    "split": lambda ev, sep, s: to_str(s).split(to_str(sep)) if to_str(s) else [],
    "replace": _replace, "format": _format, "formatlist": _formatlist,
    "regex": _regex, "regexall": _regexall,
    # collections
    "length": lambda ev, v: len(known(v)) if isinstance(known(v), list | dict | str) else _list(v),
    "concat": lambda ev, *ls: _concat(ev, ls),
    "flatten": _flatten, "setproduct": _setproduct, "range": _range, "distinct": lambda ev, xs: _distinct(ev, _list(xs)),
    "merge": _merge, "lookup": _lookup, "element": _element, "slice": _slice, "zipmap": _zipmap,
    "keys": lambda ev, m: sorted(_map(m)), "values": lambda ev, m: [v for _, v in sorted(_map(m).items())],
    "contains": lambda ev, lst, v: any(equal(x, v) for x in _list(lst)),
    "coalesce": _coalesce, "coalescelist": _coalescelist, "compact": lambda ev, xs: [x for x in _list(xs) if known(x) not in (None, "")],
    "reverse": lambda ev, xs: list(reversed(_list(xs))), "sort": _sort, "one": _one, "index": _index,
    "alltrue": lambda ev, xs: all(to_bool(x) for x in _list(xs)),
    "anytrue": lambda ev, xs: any(to_bool(x) for x in _list(xs)),
    "chunklist": _chunklist, "transpose": _transpose, "matchkeys": _matchkeys,
    "setunion": _setop("union"), "setintersection": _setop("intersection"), "setsubtract": _setop("subtract"),
    "list": lambda ev, *a: list(a), "map": lambda ev, *a: {to_str(a[i]): a[i + 1] for i in range(0, len(a) - 1, 2)},
    # conversions
    "tolist": lambda ev, v: _list(v), "toset": _toset, "tomap": lambda ev, v: _map(v),
    "tostring": _tostring, "tonumber": _tonumber, "tobool": _tobool,
    "sensitive": lambda ev, v: v, "nonsensitive": lambda ev, v: v, "type": lambda ev, v: type_name(known(v)),
    # encoding and hashing
    "jsonencode": _json, "jsondecode": _jsondecode, "base64encode": _b64, "base64decode": _b64d,
    "md5": _hash("md5"), "sha1": _hash("sha1"), "sha256": _hash("sha256"), "sha512": _hash("sha512"),
    "urlencode": lambda ev, s: __import__("urllib.parse").parse.quote(to_str(s), safe=""),
    # network
    "cidrsubnet": _cidrsubnet, "cidrsubnets": _cidrsubnets, "cidrhost": _cidrhost,
    "cidrnetmask": lambda ev, p: str(ipaddress.ip_network(to_str(p), strict=False).netmask),
    # filesystem paths (no reads)
    "basename": lambda ev, p: to_str(p).rstrip("/").rsplit("/", 1)[-1],
    "dirname": lambda ev, p: to_str(p).rsplit("/", 1)[0] if "/" in to_str(p) else ".",
}  # fmt: skip
