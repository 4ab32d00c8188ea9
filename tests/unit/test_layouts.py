"""Delivery layouts: billing period and dataset from the real paths providers deliver to, and
the OCI sample generator read back to the cent."""

import csv
import datetime as dt
import gzip
from decimal import Decimal

import pytest

from ingest.discovery import path_period_and_dataset
from ingest.pipeline import ingest
from ingest.samples import generate


@pytest.mark.parametrize(
    ("rel", "period", "dataset"),
    [
        # AWS Data Exports, FOCUS 1.2 with AWS columns
        (
            "exports/focus-export/data/BILLING_PERIOD=2025-03/focus-export-00001.snappy.parquet",
            "2025-03",
            "focus-export",
        ),
        # Azure FocusCost export: <container>/<path>/<YYYYMMDD-YYYYMMDD>/<run>/part_0_0001.parquet
        (
            "costs/focus-daily/20250301-20250331/2b5e1c2d-0000/part_0_0001.parquet",
            "2025-03",
            "focus-daily",
        ),
        # OCI FOCUS reports and cost reports
        ("FOCUS Reports/2025/03/14/0001000001234567.csv.gz", "2025-03", "focus-reports"),
        ("oci/reports/cost-csv/0001000000603747.csv.gz", None, "oci-cost-csv"),
        # GCP written from BigQuery
        ("gcp/invoice_month=202503/000000000000.parquet", "2025-03", "gcp"),
    ],
)
def test_delivery_layouts(rel, period, dataset):
    assert path_period_and_dataset(rel) == (period, dataset)


def test_oci_sample_generator_round_trips_to_the_cent(tmp_path):
    out = tmp_path / "landing"
    summary = generate(out, end_date=dt.date(2026, 3, 5), months=1, providers=("oci",))
    expected = Decimal(0)
    for path in (out / "oci/reports/cost-csv").glob("*.csv.gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            expected += sum((Decimal(r["cost/myCost"]) for r in csv.DictReader(fh)), Decimal(0))
    report = ingest(str(out), str(tmp_path / "lake"))
    assert report.count("loaded") == summary.files["oci"] == 5
    [part] = report.partitions
    assert [(t.provider, t.currency) for t in part.totals] == [("oci", "EUR")]
    assert Decimal(part.totals[0].billed_total) == expected
