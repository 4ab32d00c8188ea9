"""A user's own exports, one command: `sibyl run` with their configuration; the same spend
delivered natively and as FOCUS counts once, from the source the configuration names."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.pipeline import ingest
from tests.conftest import FIXTURES, run_dbt
from tests.reference_reader import billed_totals

pytestmark = pytest.mark.e2e

CUR = FIXTURES / "aws/sample-anonymous-aws-export-dataset.csv"
SIBYL = Path(sys.executable).parent / "sibyl"


def focus_copy_of_the_cur(path: Path) -> None:
    """The same AWS spend as a FOCUS 1.2 file, written here from the CUR's own columns."""
    with open(CUR, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["ProviderName", "BillingAccountId", "BillingCurrency", "BillingPeriodStart",
             "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory",
             "BilledCost", "EffectiveCost", "ServiceName", "x_UsageType"]
        )  # fmt: skip
        for r in rows:
            w.writerow(
                ["AWS", r["bill/PayerAccountId"], r["lineItem/CurrencyCode"],
                 r["bill/BillingPeriodStartDate"], r["bill/BillingPeriodEndDate"],
                 r["lineItem/UsageStartDate"], r["lineItem/UsageEndDate"],
                 "Tax" if r["lineItem/LineItemType"] == "Tax" else "Usage",
                 r["lineItem/UnblendedCost"], r["lineItem/UnblendedCost"],
                 r["lineItem/ProductCode"], r["lineItem/UsageType"]]
            )  # fmt: skip


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("own")
    land = root / "landing"
    (land / "cur").mkdir(parents=True)
    (land / "cur" / CUR.name).write_bytes(CUR.read_bytes())
    focus_copy_of_the_cur(land / "focus-export" / "focus.csv")
    return root, land


def cur_total() -> Decimal:
    [(key, total)] = billed_totals(CUR).items()
    assert key == ("2023-11", "USD")
    return total


def test_native_export_wins_by_default_and_nothing_is_counted_twice(landing, tmp_path):
    _, land = landing
    report = ingest(str(land), str(tmp_path / "lake"))
    assert {f.source for f in report.files} == {"aws", "focus"}
    run_dbt(tmp_path / "lake", tmp_path / "wh.duckdb", "build")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    raw, focus, ok = con.execute(
        """select raw_billed_cost, focus_billed_cost, is_reconciled from marts.fct_reconciliation
           where provider = 'aws' and billing_period = '2023-11'"""
    ).fetchone()
    assert (
        ok and abs(raw - cur_total()) < Decimal("1e-8") and round(focus, 2) == round(cur_total(), 2)
    )
    assert con.execute("select distinct source from marts.fct_charges").fetchall() == [("aws",)]


def test_sibyl_run_with_the_users_configuration_choosing_focus(landing):
    root, land = landing
    config = root / "config"
    assert subprocess.run([SIBYL, "config", "init", str(config)], check=False).returncode == 0
    (config / "billing_sources.csv").write_text(
        "provider,billing_account_id,authoritative_source\naws,*,focus\n", encoding="utf-8"
    )
    data = root / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIBYL_")}
    proc = subprocess.run(
        [
            SIBYL,
            "run",
            "--landing",
            str(land),
            "--data-dir",
            str(data),
            "--config-dir",
            str(config),
        ],
        env=env | {"DAGSTER_HOME": str(root / "dagster_home")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    marts = data / "marts"
    rec = (
        duckdb.connect()
        .execute(
            f"select raw_billed_cost, is_reconciled from '{marts / 'fct_reconciliation.parquet'}'"
            " where provider = 'aws'"
        )
        .fetchall()
    )
    assert len(rec) == 1 and rec[0][1] and abs(rec[0][0] - cur_total()) < Decimal("1e-8")
    files = (
        duckdb.connect()
        .execute(
            f"select relative_path, status from '{marts / 'fct_ingest_files.parquet'}' order by 1"
        )
        .fetchall()
    )
    assert files == [("cur/" + CUR.name, "loaded"), ("focus-export/focus.csv", "loaded")]
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    assert con.execute("select distinct source from marts.fct_charges").fetchall() == [("focus",)]
    # the demo's organisation never applies to a user's data
    teams = con.execute("select team_id from marts.dim_teams").fetchall()
    assert teams == [("unallocated",)]
    methods = {
        r[0]
        for r in con.execute("select distinct attribution_method from marts.fct_charges").fetchall()
    }
    assert methods == {"unallocated"}
