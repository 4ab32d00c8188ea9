"""Quoting for the few places where SQL text must name something: identifiers and literals.

Values reach DuckDB as bind parameters wherever it accepts them (queries, and table functions
such as ``read_parquet($path)``). Where it does not — ``COPY ... TO '<path>'``, view bodies,
DDL, ``SET`` — names and paths go through these functions, never through string concatenation
of raw input. Each call site that still builds SQL text carries ``# noqa: S608`` and says which
quoting makes it safe.
"""

from __future__ import annotations

from collections.abc import Iterable


def _check(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a NUL character cannot appear in SQL text")
    return text


def ident(name: str) -> str:
    """``name`` as a double-quoted DuckDB/Postgres identifier (embedded quotes doubled)."""
    return '"' + _check(str(name)).replace('"', '""') + '"'


def literal(value: str) -> str:
    """``value`` as a single-quoted SQL string literal (embedded quotes doubled)."""
    return "'" + _check(str(value)).replace("'", "''") + "'"


def literal_list(values: Iterable[str]) -> str:
    """Comma-separated string literals, for ``in (...)`` lists of constants."""
    return ", ".join(literal(v) for v in values)
