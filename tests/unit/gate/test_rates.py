"""`--rates warehouse`: the effective/list ratio from the published daily cost mart."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal as D

import duckdb
import pytest

from iac_gate.cli import main
from iac_gate.errors import GateInputError
from iac_gate.rates import load_rates, service_category
from tests.gate_plans import change, plan


def _mart(path, rows) -> None:
    con = duckdb.connect()
    con.execute(
        "create table t (charge_date date, provider varchar, service_category varchar, "
        "region_id varchar, charge_category varchar, billing_currency varchar, "
        "effective_cost decimal(38,10), list_cost decimal(38,10))"
    )
    con.executemany("insert into t values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("copy t to ? (format parquet)", [str(path)])
    con.close()


ROWS = [
    # EC2 in us-east-1 at 60% of list (savings plans), RDS at list, a credit that is not usage
    ("2026-11-01", "aws", "Compute", "us-east-1", "Usage", "USD", 600, 1000),
    ("2026-11-02", "aws", "Compute", "us-east-1", "Usage", "USD", 600, 1000),
    ("2026-11-02", "aws", "Databases", "us-east-1", "Usage", "USD", 500, 500),
    ("2026-11-02", "aws", "Compute", "us-east-1", "Credit", "USD", -900, 0),
    ("2026-11-02", "aws", "Compute", "eu-west-1", "Usage", "USD", 10, 20),  # too little to trust
    ("2026-06-01", "aws", "Compute", "us-east-1", "Usage", "USD", 1, 1000),  # outside 90 days
]


def test_ratios_per_provider_category_and_region(tmp_path) -> None:
    _mart(tmp_path / "fct_daily_costs.parquet", ROWS)
    rates = load_rates(tmp_path)
    assert rates.rate("aws", "aws_instance", "us-east-1").ratio == D("0.6")
    assert rates.rate("aws", "aws_db_instance", "us-east-1").ratio == D("1")
    # eu-west-1 has $20 of list cost: the provider × category ratio (Compute, all regions) decides
    eu = rates.rate("aws", "aws_instance", "eu-west-1")
    assert eu.ratio == (D(1210) / D(2020)).quantize(D("0.0001")) and eu.basis == "aws/Compute"
    assert rates.rate("google", "google_compute_instance", "us-central1").ratio == D(1)
    assert service_category("aws_db_instance") == "Databases"


def test_cli_shows_effective_beside_list(tmp_path, capsys) -> None:
    _mart(tmp_path / "fct_daily_costs.parquet", ROWS)
    p = tmp_path / "plan.json"
    p.write_text(json.dumps(plan(change("aws_instance", "a", {"instance_type": "m5.large"}))))
    code = main([str(p), "--format", "json", "--rates", "warehouse", "--marts-dir", str(tmp_path)])
    doc = json.loads(capsys.readouterr().out)
    r = doc["resources"][0]
    assert code == 0 and r["effective_rate"]["ratio"] == "0.6000"
    list_cost = D("0.096") * 730 + 8 * D("0.10")
    assert D(r["monthly_cost"]) == list_cost.quantize(D("0.01"))
    assert D(doc["total_effective_monthly_cost"]) == (list_cost * D("0.6")).quantize(D("0.01"))
    assert any("at your rates" in n for n in doc["notices"])


def test_missing_mart_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(GateInputError, match="daily cost mart"):
        load_rates(tmp_path)


def test_a_null_region_is_its_own_slice_not_the_provider_category_one(tmp_path) -> None:
    rows = [
        ("2026-11-01", "aws", "Compute", "us-east-1", "Usage", "USD", 600, 1000),
        ("2026-11-01", "aws", "Compute", None, "Usage", "USD", 100, 100),  # e.g. a global fee
    ]
    _mart(tmp_path / "fct_daily_costs.parquet", rows)
    rates = load_rates(tmp_path)
    assert rates.rate("aws", "aws_instance", "eu-west-1").ratio == (D(700) / D(1100)).quantize(
        D("0.0001")
    )  # all regions of Compute, not the null-region slice's 1.0
    assert rates.rate("aws", "aws_instance", None).ratio == D(1)  # the '' region slice


def test_rates_from_marts_under_a_url(tmp_path) -> None:
    """The marts' bucket is read through the project's fsspec filesystem (here fsspec's
    in-memory one; the emulators run in tests/e2e/test_remote_lake.py)."""
    from ingest import fs as lakefs

    root = f"memory://rates-{uuid.uuid4().hex}/marts"
    _mart(tmp_path / "fct_daily_costs.parquet", ROWS)
    lakefs.put_atomic(tmp_path / "fct_daily_costs.parquet", root, "fct_daily_costs.parquet")
    rates = load_rates(root)
    assert rates.source == f"{root}/fct_daily_costs.parquet"
    assert rates.ratios == load_rates(tmp_path).ratios
    assert rates.rate("aws", "aws_instance", "us-east-1").ratio == D("0.6")
    with pytest.raises(GateInputError, match="daily cost mart"):
        load_rates(f"memory://rates-{uuid.uuid4().hex}/empty")
