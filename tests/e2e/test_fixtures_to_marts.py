"""The real fixtures all the way to the marts: reconciliation, Azure actual + amortized."""

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
        ("aws", "2022-07", "USD"), ("aws", "2023-11", "USD"),
        ("azure", "2023-09", "CAD"), ("azure", "2023-09", "USD"),
        ("gcp", "2022-08", "USD"),
    ]
    assert all(r[5] for r in rows), rows
    aws = next(r for r in rows if r[1] == "2023-11")
    assert round(aws[4], 2) == Decimal("1.68")


def test_azure_actual_and_amortized_are_not_double_counted(warehouse):
    billed, effective, purchase_eff, n_commit = warehouse.execute(
        """select sum(billed_cost), sum(effective_cost),
                  sum(effective_cost) filter (where charge_category = 'Purchase'),
                  count(*) filter (where commitment_discount_status = 'Used')
           from marts.fct_charges where provider = 'azure' and billing_currency = 'USD'"""
    ).fetchone()
    # billed = the actual-cost export (the invoice); the reservation purchase is amortized away
    assert round(billed, 4) == Decimal("8.5450")
    assert purchase_eff == 0
    # effective = actual pay-as-you-go + amortized reservation/savings-plan usage
    assert n_commit == 2
    assert effective > billed - Decimal("3.25")


def test_focus_view_and_attribution_on_real_exports(warehouse):
    n, cats = warehouse.execute(
        """select count(*), list(distinct "ChargeCategory" order by "ChargeCategory")
           from marts.focus_charges"""
    ).fetchone()
    assert n > 1300 and cats == ["Purchase", "Tax", "Usage"]
    methods = dict(warehouse.execute(
        "select attribution_method, count(*) from marts.fct_charges group by 1").fetchall())
    assert set(methods) <= {"tag", "service_catalog", "account", "unallocated"}
    # real exports carry none of our teams: nothing may be invented
    assert methods.get("tag", 0) == 0
