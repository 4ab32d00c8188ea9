"""Ingest of the real fixtures and of generated deliveries: detection, lake layout, totals,
restatement (atomic replace, never duplicate), superseded deliveries."""

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.lake import read_lake
from ingest.pipeline import ingest
from tests.conftest import FIXTURES


def decimal_sum(path: Path, column: str, where=lambda row: True) -> Decimal:
    """Independent total: Python Decimal over the CSV text (no DuckDB involved)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return sum(
            (Decimal(r[column]) for r in csv.DictReader(fh) if r[column] and where(r)), Decimal(0)
        )


def same_money(a: Decimal, b: Decimal) -> bool:
    """Equal to the cent, and any difference is only the 10-decimal storage rounding."""
    cent = Decimal("0.01")
    return a.quantize(cent) == b.quantize(cent) and abs(a - b) < Decimal("1e-8")


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    lake = tmp_path_factory.mktemp("lake")
    return ingest(str(FIXTURES), str(lake)), lake


def test_every_fixture_ingests_or_is_quarantined_with_a_reason(fixture_run):
    report, lake = fixture_run
    status = {f.rel: f.status for f in report.files}
    assert status == {
        "ATTRIBUTION.md": "quarantined",
        "aws/2022-07-01-alt-columns.csv": "loaded",
        "aws/November-2023-None.csv": "loaded",
        "aws/sample-anonymous-aws-export-dataset.csv": "loaded",
        "azure/EA_ActualCost_Small.csv": "loaded",
        "azure/EA_AmortizedCost_Small.csv": "loaded",
        "azure/EA_NoRows.csv": "quarantined",
        "azure/azure_camelCased.csv": "loaded",
        "azure/azure_version_2.csv": "quarantined",  # BillingCurrencyCode "MC"
        "azure/camel_v2.csv": "loaded",
        "azure/sample-anonymous-ea-export-dataset.csv": "loaded",
        "gcp/2022-08-01_5.csv": "loaded",
        "oci/reports_cost-csv_0001000000603747.csv": "loaded",
    }
    no_rows = next(f for f in report.files if f.rel == "azure/EA_NoRows.csv")
    assert "empty export" in no_rows.reason
    sidecar = json.loads(Path(no_rows.quarantine_path + ".json").read_text())
    assert (
        sidecar["file"] == "azure/EA_NoRows.csv" and "header but no data rows" in sidecar["reason"]
    )
    assert (
        Path(no_rows.quarantine_path).read_bytes()
        == (FIXTURES / "azure/EA_NoRows.csv").read_bytes()
    )


def test_fixture_totals_reconcile_to_the_raw_csv(fixture_run):
    report, _ = fixture_run
    got = {
        (p.provider, p.billing_period, p.dataset): Decimal(p.billed_total)
        for p in report.partitions
    }
    assert same_money(
        got[("aws", "2023-11", "aws-sample-anonymous-aws-export-dataset")],
        decimal_sum(
            FIXTURES / "aws/sample-anonymous-aws-export-dataset.csv", "lineItem/UnblendedCost"
        ),
    )
    assert same_money(
        got[("azure", "2023-09", "azure-ea_actualcost_small")],
        decimal_sum(FIXTURES / "azure/EA_ActualCost_Small.csv", "Cost"),
    )

    def commitment(r: dict[str, str]) -> bool:
        return r["ChargeType"].startswith("Unused") or (
            r["ChargeType"] == "Usage" and r["PricingModel"] in ("Reservation", "SavingsPlan")
        )

    assert same_money(
        got[("azure", "2023-09", "azure-ea_amortizedcost_small")],
        decimal_sum(
            FIXTURES / "azure/EA_AmortizedCost_Small.csv", "Cost", lambda r: not commitment(r)
        ),
    )
    assert same_money(
        got[("azure", "2023-09", "azure-sample-anonymous-ea-export-dataset")],
        decimal_sum(
            FIXTURES / "azure/sample-anonymous-ea-export-dataset.csv", "CostInBillingCurrency"
        ),
    )
    assert same_money(
        got[("gcp", "2022-08", "gcp-2022-08-01_5")],
        decimal_sum(FIXTURES / "gcp/2022-08-01_5.csv", "cost"),
    )
    dataset_types = {p.dataset: p.dataset_type for p in report.partitions if p.provider == "azure"}
    assert dataset_types["azure-ea_amortizedcost_small"] == "amortized"
    assert dataset_types["azure-ea_actualcost_small"] == "actual"


def test_lake_keeps_raw_names_strings_and_lineage(fixture_run):
    _, lake = fixture_run
    con = duckdb.connect()
    f = next(lake.glob("raw/aws/billing_period=2023-11/aws_cur_legacy__*.parquet"))
    row = con.execute(
        f"""select "lineItem/UsageAccountId", "lineItem/UnblendedCost", _source_file, _source_row,
                   _schema_variant, typeof("lineItem/UsageAccountId")
            from read_parquet('{f}') order by _source_row limit 1"""
    ).fetchone()
    assert row[0] == "123412340534" and row[5] == "VARCHAR"
    assert row[2] == "aws/sample-anonymous-aws-export-dataset.csv" and row[3] == 1
    assert row[4] == "aws_cur_legacy"
    control = json.loads(next(lake.glob("_control/aws/billing_period=2023-11/*.json")).read_text())
    assert control["rows"] == 1281 and control["currencies"] == ["USD"]
    assert [t["currency"] for t in control["totals"]] == ["USD"]


def _copy_tree(src: Path, dst: Path, pattern: str) -> None:
    for p in src.glob(pattern):
        if p.is_dir():
            continue
        target = dst / p.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, target)


def test_restated_period_replaces_never_appends(sample_landing, tmp_path):
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    _copy_tree(sample_landing, landing, "aws/**/*")
    first = ingest(str(landing), str(lake), providers=["aws"])
    files_before = sorted(p.name for p in lake.glob("raw/aws/**/*.parquet"))
    second = ingest(str(landing), str(lake), providers=["aws"])
    assert sorted(p.name for p in lake.glob("raw/aws/**/*.parquet")) == files_before
    assert second.billed_by_provider_period() == first.billed_by_provider_period()
    con = duckdb.connect()
    n = read_lake(con, str(lake), "aws").count("*").fetchall()[0][0]
    assert n == sum(p.rows for p in first.partitions)

    # AWS re-delivers September with fewer line items: the lake partition is replaced
    sep = next(landing.glob("aws/cur2/*/data/BILLING_PERIOD=2026-09/*.parquet"))
    con.execute(
        f"copy (select * from read_parquet('{sep}') limit 100) to '{sep}.tmp' (format parquet)"
    )
    Path(f"{sep}.tmp").replace(sep)
    third = ingest(str(landing), str(lake), providers=["aws"], periods=["2026-09"])
    assert [p.billing_period for p in third.partitions] == ["2026-09"]
    assert third.partitions[0].rows == 100
    n_sep = read_lake(con, str(lake), "aws", "2026-09").count("*").fetchall()[0][0]
    assert n_sep == 100
    # other periods untouched
    n_aug = read_lake(con, str(lake), "aws", "2026-08").count("*").fetchall()[0][0]
    assert n_aug == next(p.rows for p in first.partitions if p.billing_period == "2026-08")


def test_files_missing_from_the_manifest_are_superseded(sample_landing, tmp_path):
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    _copy_tree(sample_landing, landing, "aws/**/*")
    folder = next(landing.glob("aws/cur2/*/data/BILLING_PERIOD=2026-09"))
    stale = folder / "sibyl-cur2-00009.snappy.parquet"
    shutil.copy2(next(folder.glob("*.parquet")), stale)  # an older delivery's leftover part
    report = ingest(str(landing), str(lake), providers=["aws"], periods=["2026-09"])
    status = {f.rel.rsplit("/", 1)[-1]: f.status for f in report.files if "2026-09" in f.rel}
    assert status["sibyl-cur2-00009.snappy.parquet"] == "superseded"
    assert status["sibyl-cur2-00001.snappy.parquet"] == "loaded"


def test_jsonl_gcp_export_reads_like_parquet(tmp_path):
    import datetime as dt

    from ingest.samples import generate

    a, b = tmp_path / "a", tmp_path / "b"
    kw = dict(end_date=dt.date(2026, 2, 10), months=1, seed=3, scale=0.2, providers=("gcp",))
    generate(a, gcp_format="parquet", **kw)
    generate(b, gcp_format="jsonl", **kw)
    ra, rb = ingest(str(a), str(tmp_path / "la")), ingest(str(b), str(tmp_path / "lb"))
    assert ra.billed_by_provider_period() == rb.billed_by_provider_period()
    assert [p.rows for p in ra.partitions] == [p.rows for p in rb.partitions]


def test_legacy_cur_only_the_manifests_assembly_is_read(tmp_path):
    """Legacy CUR 'new report version' deliveries reuse file names in every assembly folder:
    only the assembly the manifest names may load, or the money would be counted twice."""
    landing = tmp_path / "landing"
    period = landing / "cur" / "my-report" / "20231101-20231201"
    for assembly in ("11111111-old", "22222222-new"):
        (period / assembly).mkdir(parents=True)
        shutil.copy2(
            FIXTURES / "aws/sample-anonymous-aws-export-dataset.csv",
            period / assembly / "my-report-1.csv",
        )
    (period / "my-report-Manifest.json").write_text(
        json.dumps(
            {
                "assemblyId": "22222222-new",
                "reportKeys": ["cur/my-report/20231101-20231201/22222222-new/my-report-1.csv"],
                "billingPeriod": {"start": "20231101T000000.000Z", "end": "20231201T000000.000Z"},
            }
        )
    )
    report = ingest(str(landing), str(tmp_path / "lake"))
    status = {f.rel.split("/")[-2]: f.status for f in report.files if f.rel.endswith(".csv")}
    assert status == {"11111111-old": "superseded", "22222222-new": "loaded"}
    assert [p.rows for p in report.partitions] == [1281]
