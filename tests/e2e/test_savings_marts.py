"""Commitment analytics marts against the FOCUS 1.2 specification's commitment examples.

Each spec CSV (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec @ v1.2, CC BY 4.0) becomes the rows of a
``marts.fct_charges`` table (one provider name per file so each scenario aggregates alone), dbt
builds the savings models on it, and every number is compared with Decimal arithmetic done here
over the raw CSV — plus the utilization each spec file states in its name or narrative.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, run_dbt

pytestmark = pytest.mark.e2e

SPEC = REPO.parent / "shared" / "fixtures" / "focus" / "spec_examples_v1.2"
if not SPEC.exists():  # worktrees sit beside /work/shared
    SPEC = Path("/work/shared/fixtures/focus/spec_examples_v1.2")
FILES = sorted(
    [
        *SPEC.glob("commitment_discount_scenarios/*.csv"),
        *SPEC.glob("commitment_discount_flexibility/*.csv"),
    ]
)
ZERO = Decimal(0)

COLUMNS = {
    "charge_id": "varchar",
    "provider": "varchar",
    "billing_period": "date",
    "charge_date": "date",
    "billing_currency": "varchar",
    "billing_account_id": "varchar",
    "sub_account_id": "varchar",
    "service_name": "varchar",
    "service_category": "varchar",
    "region_id": "varchar",
    "resource_id": "varchar",
    "resource_type": "varchar",
    "sku_id": "varchar",
    "sku_meter": "varchar",
    "list_unit_price": "decimal(38, 10)",
    "team_id": "varchar",
    "charge_category": "varchar",
    "charge_frequency": "varchar",
    "charge_period_start": "timestamp",
    "charge_period_end": "timestamp",
    "pricing_category": "varchar",
    "commitment_discount_id": "varchar",
    "commitment_discount_name": "varchar",
    "commitment_discount_category": "varchar",
    "commitment_discount_type": "varchar",
    "commitment_discount_status": "varchar",
    "commitment_discount_quantity": "decimal(38, 10)",
    "commitment_discount_unit": "varchar",
    "consumed_quantity": "decimal(38, 10)",
    "pricing_quantity": "decimal(38, 10)",
    "billed_cost": "decimal(38, 10)",
    "effective_cost": "decimal(38, 10)",
    "list_cost": "decimal(38, 10)",
    "contracted_cost": "decimal(38, 10)",
}


def _val(row: dict[str, str], key: str) -> str | None:
    v = (row.get(key) or "").strip()
    return None if v in ("", "null") else v


def _dec(row: dict[str, str], key: str) -> Decimal | None:
    v = _val(row, key)
    return None if v is None else Decimal(v)


def _ts(row: dict[str, str], key: str) -> dt.datetime | None:
    v = _val(row, key)
    if v is None:
        return None
    try:
        return dt.datetime.fromisoformat(v.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:  # the spec's purchase scenarios 2 and 3 carry "2023-02-01T30:00:00Z"
        return None


def read_spec(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if any((v or "").strip() for v in r.values())]


def to_charge(path: Path, i: int, row: dict[str, str]) -> tuple[object, ...]:
    start = _ts(row, "ChargePeriodStart")
    assert start is not None
    bp = _ts(row, "BillingPeriodStart")
    cid = _val(row, "CommitmentDiscountId")
    values = {
        "charge_id": f"{path.stem}:{i}",
        "provider": path.stem,
        "billing_period": bp.date() if bp else None,
        "charge_date": start.date(),
        "billing_currency": "USD",
        "service_category": "Compute",
        "resource_id": _val(row, "ResourceId"),
        "sku_id": _val(row, "SkuId"),
        "sku_meter": _val(row, "SkuPriceid"),
        "list_unit_price": _dec(row, "ListUnitPrice"),
        "team_id": "unallocated",
        "charge_category": _val(row, "ChargeCategory"),
        "charge_frequency": _val(row, "ChargeFrequency"),
        "charge_period_start": start,
        "charge_period_end": _ts(row, "ChargePeriodEnd"),
        "pricing_category": _val(row, "PricingCategory"),
        "commitment_discount_id": f"{path.stem}/{cid}" if cid else None,
        "commitment_discount_category": _val(row, "CommitmentDiscountCategory"),
        "commitment_discount_status": _val(row, "CommitmentDiscountStatus"),
        "commitment_discount_quantity": _dec(row, "CommitmentDiscountQuantity"),
        "commitment_discount_unit": _val(row, "CommitmentDiscountUnit"),
        "consumed_quantity": _dec(row, "ConsumedQuantity"),
        "pricing_quantity": _dec(row, "PricingQuantity"),
        "billed_cost": _dec(row, "BilledCost"),
        "effective_cost": _dec(row, "EffectiveCost"),
        "list_cost": _dec(row, "ListCost"),
        "contracted_cost": _dec(row, "ContractedCost"),
    }
    return tuple(values.get(c) for c in COLUMNS)


# -- the expected numbers, from the raw rows -------------------------------------------------------


def _list_eq(row: dict[str, str]) -> Decimal:
    for key in ("ListCost", "ContractedCost", "EffectiveCost"):
        v = _dec(row, key)
        if v is not None:
            return v
    return ZERO


def _contracted_eq(row: dict[str, str]) -> Decimal:
    for key in ("ContractedCost", "ListCost", "EffectiveCost"):
        v = _dec(row, key)
        if v is not None:
            return v
    return ZERO


def expected(rows: list[dict[str, str]]) -> dict[str, Decimal | None]:
    usage = [r for r in rows if _val(r, "ChargeCategory") == "Usage"]
    used = [r for r in usage if _val(r, "CommitmentDiscountStatus") == "Used"]
    unused = [r for r in usage if _val(r, "CommitmentDiscountStatus") == "Unused"]
    on_demand = [
        r
        for r in usage
        if _val(r, "CommitmentDiscountId") is None and _val(r, "PricingCategory") == "Standard"
    ]
    used_cost = sum((_dec(r, "EffectiveCost") or ZERO for r in used), ZERO)
    unused_cost = sum((_dec(r, "EffectiveCost") or ZERO for r in unused), ZERO)
    covered = sum((_list_eq(r) for r in used), ZERO)
    od = sum((_list_eq(r) for r in on_demand), ZERO)
    lst = sum((_list_eq(r) for r in usage if r not in unused), ZERO)
    con = sum((_contracted_eq(r) for r in usage if r not in unused), ZERO)
    eff = sum((_dec(r, "EffectiveCost") or ZERO for r in usage), ZERO)
    purchases = [r for r in rows if _val(r, "ChargeCategory") == "Purchase"]
    return {
        "used": used_cost,
        "unused": unused_cost,
        "utilization": used_cost / (used_cost + unused_cost) if used_cost + unused_cost else None,
        "covered": covered,
        "on_demand": od,
        "coverage": covered / (covered + od) if covered + od else None,
        "list": lst,
        "contracted": con,
        "effective": eff,
        "esr_list": (lst - eff) / lst if lst else None,
        "esr_contracted": (con - eff) / con if con else None,
        "upfront": sum(
            (
                _dec(r, "BilledCost") or ZERO
                for r in purchases
                if _val(r, "ChargeFrequency") == "One-Time"
            ),
            ZERO,
        ),
        "recurring": sum(
            (
                _dec(r, "BilledCost") or ZERO
                for r in purchases
                if _val(r, "ChargeFrequency") == "Recurring"
            ),
            ZERO,
        ),
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("savings_spec")
    wh = tmp / "warehouse.duckdb"
    con = duckdb.connect(str(wh))
    try:
        con.execute("create schema marts")
        cols = ", ".join(f"{name} {typ}" for name, typ in COLUMNS.items())
        con.execute(f"create table marts.fct_charges ({cols})")
        marks = ", ".join("?" for _ in COLUMNS)
        for path in FILES:
            for i, row in enumerate(read_spec(path)):
                con.execute(
                    f"insert into marts.fct_charges values ({marks})", to_charge(path, i, row)
                )  # noqa: S608 (placeholders only)
    finally:
        con.close()
    run_dbt(tmp / "lake", wh, "seed", "--select", "savings_kpi_targets")
    run_dbt(tmp / "lake", wh, "run", "--select", "int_charges_rate_classified+")
    return wh


def _one(wh: Path, sql: str, *params: object) -> tuple[object, ...] | None:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchone()
    finally:
        con.close()


def test_spec_files_found() -> None:
    assert len(FILES) == 11


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_commitment_marts_match_spec_rows(warehouse: Path, path: Path) -> None:
    exp = expected(read_spec(path))
    got = _one(
        warehouse,
        "select sum(used_commitment_cost), sum(unused_commitment_cost), sum(purchase_billed_cost)"
        " from marts.fct_commitment_daily where provider = ?",
        path.stem,
    )
    assert got is not None
    used, unused, purchases = got
    assert (used or ZERO) == exp["used"]
    assert (unused or ZERO) == exp["unused"]
    assert (purchases or ZERO) == exp["upfront"] + exp["recurring"]  # type: ignore[operator]

    inv = _one(
        warehouse,
        "select sum(upfront_purchase_cost), sum(recurring_purchase_cost), max(utilization)"
        " from marts.fct_commitments where provider = ?",
        path.stem,
    )
    assert inv is not None
    assert inv[0] == exp["upfront"] and inv[1] == exp["recurring"]
    if exp["utilization"] is None:
        assert inv[2] is None
    else:
        assert inv[2] == pytest.approx(float(exp["utilization"]), abs=1e-9)

    rate = _one(
        warehouse,
        "select sum(covered_cost), sum(on_demand_cost), sum(list_cost), sum(contracted_cost), sum(effective_cost),"
        " max(coverage), max(esr_list_basis), max(esr_contracted_basis)"
        " from marts.fct_rate_optimization_daily where provider = ?",
        path.stem,
    )
    if exp["list"] == 0 and exp["effective"] == 0:
        assert rate is None or rate[0] is None  # purchase-only file: no usage day
        return
    assert rate is not None
    assert rate[0] == exp["covered"] and rate[1] == exp["on_demand"]
    assert rate[2] == exp["list"] and rate[3] == exp["contracted"] and rate[4] == exp["effective"]
    for got_ratio, key in (
        (rate[5], "coverage"),
        (rate[6], "esr_list"),
        (rate[7], "esr_contracted"),
    ):
        want = exp[key]
        assert (got_ratio is None) == (want is None), key
        if want is not None:
            assert got_ratio == pytest.approx(float(want), abs=1e-9), key


# The utilization each spec example states (file name or the spec's narrative of the scenario).
STATED_UTILIZATION = {
    "commitment_discount_usage_scenario_1": 1.0,  # one hour fully used
    "commitment_discount_usage_scenario_2": 0.0,  # one hour unused
    "commitment_discount_usage_scenario_3": 0.75,  # 75% used, 25% unused
    "commitment_discount_usage_scenario_4": 1.0,  # used, plus on-demand overflow
    "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_1_resource": 1.0,
    "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources": 1.0,
    "one_hundred_percent_utilization_without_commitment_discount_flexibility": 1.0,
    "zero_percent_utilization_without_commitment_discount_flexibility": 0.0,
}


@pytest.mark.parametrize("stem", sorted(STATED_UTILIZATION))
def test_utilization_the_spec_states(warehouse: Path, stem: str) -> None:
    got = _one(warehouse, "select utilization from marts.fct_commitments where provider = ?", stem)
    assert got is not None and got[0] == pytest.approx(STATED_UTILIZATION[stem])


def test_upfront_purchase_term_and_expiry(warehouse: Path) -> None:
    got = _one(
        warehouse,
        "select term_days, expires_at, upfront_purchase_cost from marts.fct_commitments where provider = ?",
        "commitment_discount_purchase_scenario_1",
    )
    assert got == (365, dt.datetime(2024, 1, 1), Decimal("8760"))


def test_kpis_compare_on_demand_share_with_target(warehouse: Path) -> None:
    # scenario 4: 1.00 covered (effective, no list cost) + 0.50 on demand -> on-demand share 1/3
    got = _one(
        warehouse,
        "select value, target_value, gap, is_met from marts.fct_savings_kpis"
        " where provider = ? and kpi_id = 'compute_on_demand'",
        "commitment_discount_usage_scenario_4",
    )
    assert got is not None
    value, target, gap, met = got
    assert value == pytest.approx(0.5 / 1.5)
    assert target == pytest.approx(0.30)
    assert gap == pytest.approx(0.5 / 1.5 - 0.30)
    assert met is False
