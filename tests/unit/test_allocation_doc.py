"""docs/allocation.md's worked example: its table is recomputed here by the largest-remainder
method on Decimals (independently of the dbt model), and its charges and parts are the ones the dbt
unit test `allocation_cents_rules_order_remainder` runs through fct_charges_allocated."""

from __future__ import annotations

import re
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def split(cost: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    total = sum(weights.values())
    anchor = sorted(weights, key=lambda t: (-weights[t], t))[0]
    exact = {t: cost * 100 * w / total for t, w in weights.items()}
    floors = {t: e.to_integral_value(ROUND_FLOOR) for t, e in exact.items()}
    left = int(cost * 100 // 1 - sum(floors.values()))
    order = sorted(weights, key=lambda t: (-(exact[t] - floors[t]), t))
    cents = {t: floors[t] + (1 if i < left else 0) for i, t in enumerate(order)}
    parts = {t: cents[t] / 100 for t in weights if t != anchor}
    parts[anchor] = cost - sum(parts.values())
    return parts


def doc_rows() -> list[tuple[str, Decimal, str, Decimal, Decimal]]:
    text = (REPO / "docs" / "allocation.md").read_text(encoding="utf-8")
    section = text.split("## Worked example", 1)[1].split("##", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"[\d.]+", cells[1]):
            rows.append(
                (cells[0], Decimal(cells[1]), cells[2], Decimal(cells[3]), Decimal(cells[5]))
            )
    return rows


def test_the_worked_example_adds_up() -> None:
    rows = doc_rows()
    assert len(rows) == 6
    charges: dict[tuple[str, Decimal], dict[str, Decimal]] = {}
    for charge, cost, team, weight, _ in rows:
        charges.setdefault((charge, cost), {})[team] = weight
    for (charge, cost), weights in charges.items():
        parts = split(cost, weights)
        assert sum(parts.values()) == cost
        for c, k, team, _, part in rows:
            if (c, k) == (charge, cost):
                assert parts[team] == part, (charge, team)


def test_the_dbt_unit_test_runs_the_same_example() -> None:
    doc = yaml.safe_load((REPO / "dbt_project/models/marts/finops/_allocation.yml").read_text())
    case = next(
        u for u in doc["unit_tests"] if u["name"] == "allocation_cents_rules_order_remainder"
    )
    expected = {(r["team_id"], Decimal(str(r["billed_cost"]))) for r in case["expect"]["rows"]}
    for _, _, team, _, part in doc_rows():
        assert (team, part) in expected
