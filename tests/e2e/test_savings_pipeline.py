"""Savings on the generated demo: commitments with realistic coverage and utilization, sample
metrics -> lake -> opportunities (the generator's idle and oversized instances found, priced by
the catalog), purchase recommendations, and a person's status surviving a re-run.

Expected numbers are recomputed here with Decimal from fct_charges rows, not from the marts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from iac_gate.catalog import PriceCatalog
from ingest.metrics.lake import ingest_metrics
from ingest.pipeline import ingest
from ingest.samples import generate
from ingest.samples.metrics import generate_metrics
from models_ml.savings.inbox import set_status
from models_ml.savings.runner import run_savings
from tests.conftest import END_DATE, run_dbt

pytestmark = pytest.mark.e2e
ZERO = Decimal(0)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("savings_e2e")
    landing, lake, wh = tmp / "landing", tmp / "lake", tmp / "warehouse.duckdb"
    generate(landing, end_date=END_DATE, months=3, seed=7, scale=0.35)
    sample = generate_metrics(landing, END_DATE)
    report = ingest(str(landing), str(lake))
    assert not [f for f in report.files if f.status == "quarantined"]
    metrics = ingest_metrics(str(landing), str(lake))
    assert metrics.quarantined == 0 and metrics.points > 0
    run_dbt(lake, wh, "build", "--exclude", "tag:ml")
    result, _ = run_savings(str(wh), str(lake), PriceCatalog())
    run_dbt(
        lake,
        wh,
        "build",
        "--select",
        "fct_savings_opportunities fct_purchase_recommendations fct_purchase_savings_curve",
    )
    return {"wh": wh, "lake": lake, "sample": sample, "result": result}


def _rows(wh: object, sql: str, *params: object) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_commitments_are_realistic_and_match_decimal_sums(built: dict[str, object]) -> None:
    wh = built["wh"]
    charges = _rows(
        wh,
        "select provider, commitment_discount_id, commitment_discount_status, charge_category, effective_cost"
        " from marts.fct_charges where commitment_discount_id is not null",
    )
    used: dict[tuple[str, str], Decimal] = {}
    unused: dict[tuple[str, str], Decimal] = {}
    for provider, cid, status, category, eff in charges:
        key = (str(provider), str(cid))
        if category == "Usage" and status == "Unused":
            unused[key] = unused.get(key, ZERO) + Decimal(eff)
        elif category == "Usage":
            used[key] = used.get(key, ZERO) + Decimal(eff)
    inv = _rows(
        wh,
        "select provider, commitment_discount_id, used_commitment_cost, unused_commitment_cost, utilization from marts.fct_commitments",
    )
    assert len(inv) >= 2  # the AWS savings plan and the RDS reservation at least
    for provider, cid, u, un, util in inv:
        key = (str(provider), str(cid))
        assert u == used.get(key, ZERO) and un == unused.get(key, ZERO)
        total = used.get(key, ZERO) + unused.get(key, ZERO)
        if total:
            assert util == pytest.approx(float(used.get(key, ZERO) / total))
    utils = [float(u) for *_, u in inv if u is not None]
    assert utils and all(0.5 < u < 1.0 for u in utils)  # used, but not 100%


def test_coverage_is_partial_and_matches_decimal_sums(built: dict[str, object]) -> None:
    wh = built["wh"]
    rows = _rows(
        wh,
        "select commitment_discount_id, commitment_discount_status, pricing_category, list_cost, contracted_cost, effective_cost"
        " from marts.fct_charges where provider = 'aws' and service_category = 'Compute' and charge_category = 'Usage'",
    )
    covered = on_demand = ZERO
    for cid, status, pricing, lst, con, eff in rows:
        eq = Decimal(lst if lst is not None else con if con is not None else eff)
        if cid is not None and status != "Unused":
            covered += eq
        elif cid is None and (pricing or "Standard") == "Standard":
            on_demand += eq
    ((cov,),) = _rows(
        wh,
        "select sum(covered_cost) / sum(eligible_cost) from marts.fct_rate_optimization_daily"
        " where provider = 'aws' and service_category = 'Compute'",
    )
    assert cov == pytest.approx(float(covered / (covered + on_demand)))
    assert 0.0 < float(cov) < 0.5  # one savings-plan-covered instance among many on demand


def test_generator_idle_and_oversized_instances_are_found(built: dict[str, object]) -> None:
    wh, sample = built["wh"], built["sample"]
    opps = _rows(
        wh,
        "select resource_id, kind, monthly_savings, evidence_json from marts.fct_savings_opportunities",
    )
    by = {(str(r), str(k)): Decimal(m) for r, k, m, _ in opps}
    for rid in sample.idle:  # type: ignore[attr-defined]
        assert (rid, "idle") in by
    rightsized = [rid for rid in sample.oversized if (rid, "rightsize") in by]  # type: ignore[attr-defined]
    assert rightsized, "no oversized instance was rightsized"
    for rid in sample.unused_volumes:  # type: ignore[attr-defined]
        ((vol_cost,),) = _rows(
            wh,
            "select coalesce(sum(effective_cost), 0) from marts.fct_charges where resource_id = ?"
            " and charge_date > (select max(charge_date) from marts.fct_charges) - interval 30 day",
            rid,
        )
        # listed when worth the $5/month threshold (the seed's min_monthly_savings)
        assert ((rid, "idle") in by) == (Decimal(vol_cost) / 30 * Decimal("30.4167") >= 5)
    # an idle instance saves its last-30-day cost, scaled to a month
    rid = sample.idle[0]  # type: ignore[attr-defined]
    ((cost,),) = _rows(
        wh,
        "select sum(effective_cost) from marts.fct_charges where resource_id = ? and charge_category = 'Usage'"
        " and charge_date > (select max(charge_date) from marts.fct_charges) - interval 30 day",
        rid,
    )
    assert by[(rid, "idle")] == (Decimal(cost) / 30 * Decimal("30.4167")).quantize(Decimal("0.01"))


def test_purchase_recommendations_and_curve(built: dict[str, object]) -> None:
    wh = built["wh"]
    recs = _rows(
        wh,
        "select recommendation_id, level_per_period, monthly_savings, best_level_7d, best_level_60d from marts.fct_purchase_recommendations",
    )
    assert recs
    for rid, level, saving, b7, b60 in recs:
        assert level == min(b7, b60)  # the lower of the short and long lookbacks
        assert saving >= 0
        curve = _rows(
            wh,
            "select monthly_savings, is_recommended from marts.fct_purchase_savings_curve where recommendation_id = ?",
            rid,
        )
        assert any(r for _, r in curve)


def test_status_survives_redetection(built: dict[str, object]) -> None:
    wh, lake = built["wh"], built["lake"]
    ((oid,),) = _rows(
        wh,
        "select opportunity_id from marts.fct_savings_opportunities order by monthly_savings desc limit 1",
    )
    set_status(str(lake), str(oid), "accepted", "ana", "ticket FIN-12")
    run_savings(str(wh), str(lake), PriceCatalog(), now=dt.datetime.now(dt.UTC))
    run_dbt(lake, wh, "build", "--select", "fct_savings_opportunities")
    ((status, by),) = _rows(
        wh,
        "select status, status_changed_by from marts.fct_savings_opportunities where opportunity_id = ?",
        oid,
    )
    assert (status, by) == ("accepted", "ana")


def test_reservations_are_whole_instances(built: dict[str, object]) -> None:
    wh = built["wh"]
    rows = _rows(
        wh,
        "select instance_type, region_id, instance_count, level_per_period, discount from marts.fct_purchase_recommendations"
        " where commitment_kind = 'reservation'",
    )
    assert rows and all(str(r[0]).startswith("db.") for r in rows)  # RDS; EC2 is the savings plan's
    for itype, region, count, level, discount in rows:
        ((rate,),) = _rows(
            wh,
            "select max(list_unit_price) from marts.fct_charges where provider = 'aws' and region_id = ?"
            " and (sku_meter like '%BoxUsage:' || ? or sku_meter like '%InstanceUsage:' || ?)"
            " and charge_category = 'Usage' and pricing_category = 'Standard' and commitment_discount_id is null",
            region,
            itype,
            itype,
        )
        step = Decimal(rate) * 24 * (1 - Decimal(str(discount)))
        assert count >= 1 and Decimal(level) / step == pytest.approx(count, abs=1e-6)


def test_realised_savings_after_done(built: dict[str, object]) -> None:
    import polars as pl

    from models_ml import store
    from models_ml.savings.inbox import STATUS_LOG, STATUS_SCHEMA

    wh, lake, sample = built["wh"], built["lake"], built["sample"]
    rid = sample.idle[-1]  # type: ignore[attr-defined]
    ((oid,),) = _rows(
        wh, "select opportunity_id from marts.fct_savings_opportunities where resource_id = ?", rid
    )
    done_day = END_DATE - dt.timedelta(days=9)
    row = {"opportunity_id": oid, "status": "done", "changed_by": "ana", "note": "stopped",
           "changed_at": dt.datetime.combine(done_day, dt.time(12), dt.UTC)}  # fmt: skip
    store.append_log(str(lake), STATUS_LOG, pl.DataFrame([row], schema=STATUS_SCHEMA))
    run_dbt(lake, wh, "build", "--select", "fct_savings_opportunities")
    charges = _rows(
        wh,
        "select charge_date, effective_cost from marts.fct_charges where resource_id = ? and charge_category = 'Usage'",
        rid,
    )
    ((last_day,),) = _rows(wh, "select max(charge_date) from marts.fct_charges")
    before = sum(
        (Decimal(c) for d, c in charges if done_day - dt.timedelta(days=30) <= d < done_day), ZERO
    )
    since = sum((Decimal(c) for d, c in charges if d >= done_day), ZERO)
    days = (last_day - done_day).days + 1
    month = Decimal("30.4167")
    expected = before / 30 * month - since / days * month
    ((status, realised),) = _rows(
        wh,
        "select status, realised_monthly_savings from marts.fct_savings_opportunities where opportunity_id = ?",
        oid,
    )
    assert status == "done"
    # the sample instance kept running after "done": nothing realised yet, to the cent
    assert abs(Decimal(realised) - expected) <= Decimal("0.01")
