"""The real fixtures all the way to the marts: reconciliation, Azure actual + amortized."""

import csv
from decimal import Decimal

import duckdb
import pytest

from ingest.pipeline import ingest
from tests.conftest import FIXTURES, run_dbt

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("fixtures_e2e")
    ingest(str(FIXTURES), str(root / "lake"))
    run_dbt(root / "lake", root / "wh.duckdb", "build")
    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    yield con
    con.close()


def test_every_fixture_partition_reconciles(warehouse):
    rows = warehouse.execute(
        "select provider, billing_period, billing_currency, raw_billed_cost, focus_billed_cost, is_reconciled "
        "from marts.fct_reconciliation order by 1, 2, 3"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("aws", "2022-07", "USD"),
        ("aws", "2023-11", "USD"),
        ("azure", "2019-07", "USD"),
        ("azure", "2023-08", "USD"),
        ("azure", "2023-09", "CAD"),
        ("azure", "2023-09", "USD"),
        ("gcp", "2022-08", "USD"),
        ("oci", "2022-04", "GBP"),
    ]
    assert all(r[5] for r in rows), rows
    aws = next(r for r in rows if r[1] == "2023-11")
    # the focus_converters sample (1.68) + the koku CUR subset (3 x 0.096 + 2 x 0.1)
    assert round(aws[4], 2) == Decimal("1.68") + Decimal("0.49")


def test_azure_actual_and_amortized_are_not_double_counted(warehouse):
    def total(name, keep):
        with open(FIXTURES / "azure" / name, encoding="utf-8-sig", newline="") as fh:
            return sum((Decimal(r["Cost"]) for r in csv.DictReader(fh) if keep(r)), Decimal(0))

    def commitment_purchase(r):
        return r["ChargeType"] == "Purchase" and r["PricingModel"] in ("Reservation", "SavingsPlan")

    def commitment_usage(r):
        return r["ChargeType"].startswith("Unused") or (
            r["ChargeType"] == "Usage" and r["PricingModel"] in ("Reservation", "SavingsPlan")
        )

    billed, effective, purchase_eff, n_commit = warehouse.execute(
        """select sum(billed_cost), sum(effective_cost),
                  sum(effective_cost) filter (where charge_category = 'Purchase'),
                  count(*) filter (where commitment_discount_status = 'Used')
           from marts.fct_charges where provider = 'azure' and billing_currency = 'USD'
             and strftime(billing_period, '%Y-%m') = '2023-09'"""
    ).fetchone()
    # billed = the actual-cost export (the invoice)
    assert round(billed, 8) == round(total("EA_ActualCost_Small.csv", lambda r: True), 8)
    # effective = actual charges except the amortized-away reservation purchase
    #           + the amortized export's reservation / savings-plan usage and unused rows
    expected = total("EA_ActualCost_Small.csv", lambda r: not commitment_purchase(r)) + total(
        "EA_AmortizedCost_Small.csv", commitment_usage
    )
    assert round(effective, 8) == round(expected, 8)
    assert purchase_eff == 0 and n_commit == 2


def test_focus_view_and_attribution_on_real_exports(warehouse):
    n, cats = warehouse.execute(
        """select count(*), list(distinct "ChargeCategory" order by "ChargeCategory")
           from marts.focus_charges"""
    ).fetchone()
    assert n > 1300 and cats == ["Purchase", "Tax", "Usage"]  # usage details v1 rows are Usage
    methods = dict(
        warehouse.execute(
            "select attribution_method, count(*) from marts.fct_charges group by 1"
        ).fetchall()
    )
    assert set(methods) <= {"tag", "service_catalog", "account", "unallocated"}
    # real exports carry none of our teams: nothing may be invented
    assert methods.get("tag", 0) == 0
