"""Row-for-row comparison of one table read from two warehouses (DuckDB and Postgres).

Values compare by meaning, not by driver type: exact numbers (int, Decimal) exactly (a sum of
money equals to the last decimal DuckDB keeps, so to the cent), floats within a relative 1e-9,
JSON text as the JSON value it encodes (DuckDB's to_json and Postgres' jsonb spell one object
differently), aware timestamps in UTC. Rows compare as multisets: order does not matter.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

FLOAT_REL = 1e-9
FLOAT_ABS = 1e-9


def _json_or_text(value: str) -> Any:
    text = value.strip()
    if text[:1] in ("{", "[") and text[-1:] in ("}", "]"):
        try:
            return ("json", json.dumps(json.loads(text), sort_keys=True))
        except ValueError:
            return value
    return value


def normalize(value: Any) -> Any:
    """A comparable, hashable form of one cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value.normalize() if value == value.to_integral_value() else value.normalize()
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return _json_or_text(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    if isinstance(value, (list, tuple)):
        return tuple(normalize(v) for v in value)
    if isinstance(value, dict):
        return ("json", json.dumps(value, sort_keys=True, default=str))
    return value


def _sort_key(row: Sequence[Any]) -> tuple[Any, ...]:
    # floats rounded for ordering only (they compare with a tolerance below); type name first
    # so None, numbers and text never meet in a comparison
    def key(v: Any) -> tuple[str, str]:
        if isinstance(v, float):
            return ("n", f"{v:.6e}")
        if isinstance(v, Decimal):
            return ("n", f"{float(v):.6e}")
        return (type(v).__name__, repr(v))

    return tuple(key(v) for v in row)


def cells_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (float, Decimal)) or not isinstance(b, (float, Decimal)):
            return False
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return math.isclose(fa, fb, rel_tol=FLOAT_REL, abs_tol=FLOAT_ABS)
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return all(cells_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def diff_rows(
    left: Sequence[Sequence[Any]], right: Sequence[Sequence[Any]], columns: Sequence[str]
) -> list[str]:
    """Differences between two row sets, at most a few, described by column; [] when equal."""
    if len(left) != len(right):
        return [f"row count {len(left)} != {len(right)}"]
    a = sorted((tuple(normalize(v) for v in r) for r in left), key=_sort_key)
    b = sorted((tuple(normalize(v) for v in r) for r in right), key=_sort_key)
    out: list[str] = []
    for ra, rb in zip(a, b, strict=True):
        for col, x, y in zip(columns, ra, rb, strict=True):
            if not cells_equal(x, y):
                out.append(f"{col}: {x!r} != {y!r}")
                break
        if len(out) >= 5:
            break
    return out
