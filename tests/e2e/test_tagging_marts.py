"""The tagging marts against Python arithmetic over the fact rows they are built from.

``fct_tag_compliance`` (cost and resources fully tagged per day, provider, sub account, team and
currency) and ``fct_untagged_resources`` (each resource's latest charge, if that charge misses a
required tag) are recomputed here from ``marts.fct_charges`` with Decimal sums, sets and a sort, so
a rewrite of either model for speed (both were the costliest marts at 100M line items) must keep
every value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytestmark = pytest.mark.e2e

CENT = Decimal("0.0000000001")  # the marts keep decimal(38, 10)


def _charges(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rel = con.sql(
        "select charge_id, charge_date, provider, sub_account_id, team_id, billing_currency,"
        " resource_id, resource_name, resource_type, region_id, service_name, attribution_method,"
        " missing_required_tags, tags_json, effective_cost, is_fully_tagged"
        " from marts.fct_charges where resource_id is not null and charge_category = 'Usage'"
    )
    return [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]


def test_tag_compliance_equals_decimal_sums_and_resource_sets(built_root: Path) -> None:
    con = duckdb.connect(str(built_root / "warehouse.duckdb"), read_only=True)
    groups: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(
        lambda: {
            "cost": Decimal(0),
            "tagged": Decimal(0),
            "abs": Decimal(0),
            "tagged_abs": Decimal(0),
            "res": set(),
            "tagged_res": set(),
        }  # fmt: skip
    )
    for c in _charges(con):
        key = (c["charge_date"], c["provider"], c["sub_account_id"] or "(none)", c["team_id"],
               c["billing_currency"])  # fmt: skip
        g = groups[key]
        cost = Decimal(c["effective_cost"])
        g["cost"] += cost
        g["abs"] += abs(cost)
        g["res"].add(c["resource_id"])
        if c["is_fully_tagged"]:
            g["tagged"] += cost
            g["tagged_abs"] += abs(cost)
            g["tagged_res"].add(c["resource_id"])
    rel = con.sql(
        "select charge_date, provider, sub_account_id, team_id, billing_currency, taggable_cost,"
        " fully_tagged_cost, pct_cost_fully_tagged, resource_count, fully_tagged_resource_count,"
        " pct_resources_fully_tagged from marts.fct_tag_compliance"
    )
    got = {tuple(r[:5]): r[5:] for r in rel.fetchall()}
    assert set(got) == set(groups) and len(groups) > 50
    some_partial = False
    for key, g in groups.items():
        cost, tagged, pct_cost, n, n_tagged, pct_res = got[key]
        assert (cost, tagged) == (g["cost"].quantize(CENT), g["tagged"].quantize(CENT)), key
        want_pct = None if g["abs"] == 0 else float(g["tagged_abs"] / g["abs"] * 100)
        assert pct_cost == pytest.approx(want_pct, rel=1e-12), key
        assert (n, n_tagged) == (len(g["res"]), len(g["tagged_res"])), key
        assert pct_res == pytest.approx(len(g["tagged_res"]) * 100 / len(g["res"]), rel=1e-12)
        some_partial |= 0 < len(g["tagged_res"]) < len(g["res"])
    assert some_partial  # the sample mixes tagged and untagged resources in a group


def test_untagged_resources_are_the_latest_charges_missing_tags(built_root: Path) -> None:
    con = duckdb.connect(str(built_root / "warehouse.duckdb"), read_only=True)
    as_of = con.execute("select max(charge_date) from marts.fct_daily_costs").fetchall()[0][0]
    assert isinstance(as_of, dt.date)
    latest: dict[tuple[Any, ...], dict[str, Any]] = {}
    sums: dict[tuple[Any, ...], list[Any]] = {}
    for c in _charges(con):
        key = (c["provider"], c["resource_id"], c["billing_currency"])
        if key not in latest or (c["charge_date"], c["charge_id"]) > (
            latest[key]["charge_date"],
            latest[key]["charge_id"],
        ):
            latest[key] = c
        s = sums.setdefault(key, [Decimal(0), Decimal(0), c["charge_date"], c["charge_date"]])
        cost = Decimal(c["effective_cost"])
        s[1] += cost
        if as_of - dt.timedelta(days=30) < c["charge_date"] <= as_of:
            s[0] += cost
        s[2], s[3] = min(s[2], c["charge_date"]), max(s[3], c["charge_date"])
    want = {}
    for key, c in latest.items():
        if c["is_fully_tagged"]:
            continue
        last30, total, first, last = sums[key]
        want[key] = (c["resource_name"], c["resource_type"], c["sub_account_id"], c["region_id"],
                     c["service_name"], c["team_id"], c["attribution_method"],
                     c["missing_required_tags"] or "team (unknown value)", c["tags_json"],
                     last30.quantize(CENT), total.quantize(CENT), first, last)  # fmt: skip
    rel = con.sql(
        "select provider, resource_id, billing_currency, resource_name, resource_type,"
        " sub_account_id, region_id, service_name, team_id, attribution_method,"
        " missing_required_tags, current_tags_json, cost_last_30d, total_cost, first_seen_date,"
        " last_seen_date from marts.fct_untagged_resources"
    )
    got = {tuple(r[:3]): tuple(r[3:]) for r in rel.fetchall()}
    assert len(want) > 10 and len(want) < len(latest)  # some resources are fully tagged now
    assert got == want
