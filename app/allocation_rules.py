"""Validate the shared-cost allocation configuration before dbt reads it: problems as
``file line N: what is wrong`` (the values echoed are clipped).

Files (CSV, header line first), in the configuration folder or dbt_project/seeds:
- ``allocation_rules.csv``: rule_id, rule_order, match_dimension, match_value, driver,
  driver_dimension, driver_value, remainder_team_id, description
- ``allocation_shares.csv``: rule_id, team_id, share (fixed: the share; even: blank)
- ``allocation_usage.csv``: rule_id, billing_period (YYYY-MM), team_id, quantity
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

RULES = "allocation_rules.csv"
SHARES = "allocation_shares.csv"
USAGE = "allocation_usage.csv"
COLUMNS: dict[str, tuple[str, ...]] = {
    RULES: (
        "rule_id", "rule_order", "match_dimension", "match_value", "driver", "driver_dimension",
        "driver_value", "remainder_team_id", "description",
    ),
    SHARES: ("rule_id", "team_id", "share"),
    USAGE: ("rule_id", "billing_period", "team_id", "quantity"),
}  # fmt: skip
DIMENSIONS = ("service", "resource", "account", "tag", "charge_category", "provider")
DRIVERS = ("cost", "usage", "fixed", "even")
MAX_ROWS = 100_000
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _clip(v: str) -> str:
    return repr(v[:40])


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Problems and (line number, row) of one file; an absent file has no rows."""
    if not path.exists():
        return [], []
    name = path.name
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = tuple(h.strip() for h in next(reader, []))
        if header != COLUMNS[name]:
            return [f"{name} line 1: header must be {','.join(COLUMNS[name])}"], []
        rows: list[tuple[int, dict[str, str]]] = []
        for n, row in enumerate(reader, start=2):
            if not row or not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                return [f"{name} line {n}: {len(row)} fields, expected {len(header)}"], rows
            if len(rows) >= MAX_ROWS:
                return [f"{name} line {n}: more than {MAX_ROWS} rows"], rows
            rows.append((n, dict(zip(header, (c.strip() for c in row), strict=True))))
    return [], rows


def _number(v: str) -> Decimal | None:
    try:
        d = Decimal(v)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def check_allocation(folder: str | Path) -> list[str]:
    """Every problem of the allocation files in ``folder`` (empty list: usable)."""
    folder = Path(folder)
    problems, rules = _read(folder / RULES)
    drivers: dict[str, str] = {}
    for n, r in rules:
        where = f"{RULES} line {n}"
        rid = r["rule_id"]
        if not _ID.match(rid):
            problems.append(f"{where}: rule_id must be 1-64 letters, digits or _.:-")
        elif rid in drivers:
            problems.append(f"{where}: rule_id {_clip(rid)} appears twice")
        if not re.fullmatch(r"-?\d{1,9}", r["rule_order"]):
            problems.append(
                f"{where}: rule_order must be a whole number, not {_clip(r['rule_order'])}"
            )
        if r["match_dimension"].lower() not in DIMENSIONS:
            problems.append(f"{where}: match_dimension must be one of {', '.join(DIMENSIONS)}")
        elif r["match_dimension"].lower() == "tag" and "=" not in r["match_value"]:
            problems.append(
                f"{where}: a tag match_value is key=value, not {_clip(r['match_value'])}"
            )
        if not r["match_value"]:
            problems.append(f"{where}: match_value is empty")
        driver = r["driver"].lower()
        if driver not in DRIVERS:
            problems.append(f"{where}: driver must be one of {', '.join(DRIVERS)}")
        elif driver == "cost" and (
            r["driver_dimension"].lower() not in DIMENSIONS or not r["driver_value"]
        ):
            problems.append(
                f"{where}: a cost driver needs driver_dimension ({', '.join(DIMENSIONS)}) "
                "and driver_value"
            )
        if r["remainder_team_id"] and not _ID.match(r["remainder_team_id"]):
            problems.append(
                f"{where}: remainder_team_id {_clip(r['remainder_team_id'])} is not a team id"
            )
        drivers.setdefault(rid, driver)

    more, shares = _read(folder / SHARES)
    problems += more
    has_share: set[str] = set()
    for n, r in shares:
        where = f"{SHARES} line {n}"
        kind = drivers.get(r["rule_id"])
        if kind not in ("fixed", "even"):
            problems.append(f"{where}: rule {_clip(r['rule_id'])} is not a fixed or even rule")
            continue
        if not _ID.match(r["team_id"]):
            problems.append(f"{where}: team_id {_clip(r['team_id'])} is not a team id")
        share = _number(r["share"])
        if kind == "fixed" and (share is None or share <= 0):
            problems.append(f"{where}: a fixed share is a positive number, not {_clip(r['share'])}")
        has_share.add(r["rule_id"])

    more, usage = _read(folder / USAGE)
    problems += more
    for n, r in usage:
        where = f"{USAGE} line {n}"
        if drivers.get(r["rule_id"]) != "usage":
            problems.append(f"{where}: rule {_clip(r['rule_id'])} is not a usage rule")
            continue
        if not _PERIOD.match(r["billing_period"]):
            problems.append(f"{where}: billing_period is YYYY-MM, not {_clip(r['billing_period'])}")
        if not _ID.match(r["team_id"]):
            problems.append(f"{where}: team_id {_clip(r['team_id'])} is not a team id")
        q = _number(r["quantity"])
        if q is None or q < 0:
            problems.append(f"{where}: quantity is a number >= 0, not {_clip(r['quantity'])}")

    for n, r in rules:
        if r["driver"].lower() in ("fixed", "even") and r["rule_id"] not in has_share:
            problems.append(
                f"{RULES} line {n}: rule {_clip(r['rule_id'])} lists no teams in {SHARES}"
            )
    return problems
