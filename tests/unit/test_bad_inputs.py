"""Bad input: every kind is quarantined with a readable reason naming the file and the problem;
the good files of the same run still load and their totals still reconcile."""

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from tests.conftest import FIXTURES

GOOD = FIXTURES / "aws/sample-anonymous-aws-export-dataset.csv"
AZURE_EA = FIXTURES / "azure/EA_ActualCost_Small.csv"


def read_rows():
    with open(GOOD, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, list(reader)


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory, sample_landing):
    landing = tmp_path_factory.mktemp("bad_landing")
    (landing / "good").mkdir()
    (landing / "bad").mkdir()
    shutil.copy2(GOOD, landing / "good/cur.csv")
    bad = landing / "bad"
    parquet = next(sample_landing.glob("aws/cur2/*/data/*/*.parquet"))
    data = parquet.read_bytes()
    (bad / "truncated.parquet").write_bytes(data[: len(data) // 2])

    header, rows = read_rows()
    rows = rows[:20]
    col = {name: i for i, name in enumerate(header)}

    drop = col["lineItem/UsageStartDate"]
    write_csv(
        bad / "missing_column.csv",
        [h for i, h in enumerate(header) if i != drop],
        [[v for i, v in enumerate(r) if i != drop] for r in rows],
    )
    write_csv(bad / "header_only.csv", header, [])

    def edited(row_index, column, value):
        out = [list(r) for r in rows]
        out[row_index][col[column]] = value
        return out

    write_csv(bad / "cost_words.csv", header, edited(0, "lineItem/UnblendedCost", "N/A"))
    write_csv(bad / "cost_empty.csv", header, edited(2, "lineItem/UnblendedCost", ""))
    write_csv(
        bad / "outside_period.csv",
        header,
        edited(0, "lineItem/UsageStartDate", "2024-02-03T00:00:00.000Z"),
    )
    text = (bad / "cost_words.csv").read_text(encoding="utf-8")
    (bad / "latin1.csv").write_bytes(text.replace("Amazon", "Am\xe4zon").encode("latin-1"))
    (bad / "not_gzip.csv.gz").write_bytes(b"this is plain text, not gzip\n")
    (bad / "unknown_schema.csv").write_text("date,amount,memo\n2026-01-01,12.50,coffee\n")
    (bad / "report.xlsx").write_bytes(b"PK\x03\x04")
    # a real Azure EA file whose header is relabelled the way localized portal downloads are
    # ("Kosten (Cost)"); the labels are placeholders, not a translation
    az_header, *az_rows = list(csv.reader(AZURE_EA.open(encoding="utf-8-sig", newline="")))
    write_csv(
        bad / "localized_azure.csv",
        [f"Spalte-Ä{i} ({h})" for i, h in enumerate(az_header)],
        az_rows,
    )
    lake = tmp_path_factory.mktemp("bad_lake")
    return ingest(str(landing), str(lake)), lake


def by_name(report, name):
    return next(f for f in report.files if f.rel.endswith(name))


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("truncated.parquet", "unreadable file"),
        ("missing_column.csv", "column 'lineItem/UsageStartDate': required column is missing"),
        ("header_only.csv", "empty export"),
        ("latin1.csv", "This file is not utf-8 encoded"),
        (
            "cost_empty.csv",
            "column 'lineItem/UnblendedCost': 1 row(s) cost is empty (costs must not be null)",
        ),
        (
            "cost_words.csv",
            "column 'lineItem/UnblendedCost': 1 row(s) cost is not a number (e.g. row 1: 'N/A')",
        ),
        ("outside_period.csv", "charge date is outside the billing period"),
        ("not_gzip.csv.gz", "not a valid gzip file"),
        (
            "unknown_schema.csv",
            "unknown schema: no known export variant matches the columns [date, amount, memo]",
        ),
        ("report.xlsx", "unsupported file type '.xlsx'"),
        (
            "localized_azure.csv",
            "unknown schema: the header looks like an Azure cost export downloaded in another "
            "language",
        ),
    ],
)
def test_bad_file_is_quarantined_with_a_readable_reason(bad_run, name, fragment):
    report, lake = bad_run
    f = by_name(report, name)
    assert f.status == "quarantined"
    assert fragment in f.reason, f.reason
    sidecar = json.loads(Path(f.quarantine_path + ".json").read_text())
    assert sidecar["file"].endswith(name) and sidecar["reason"] == f.reason
    assert sidecar["problems"]
    assert Path(f.quarantine_path).exists()  # the bytes are kept, nothing is lost


def test_good_file_in_the_same_run_loads_and_reconciles(bad_run):
    report, lake = bad_run
    assert by_name(report, "good/cur.csv").status == "loaded"
    assert [(p.provider, p.rows) for p in report.partitions] == [("aws", 1281)]
    header, rows = read_rows()
    i = header.index("lineItem/UnblendedCost")
    expected = sum((Decimal(r[i]) for r in rows if r[i]), Decimal(0))
    assert Decimal(report.partitions[0].billed_total).quantize(
        Decimal("0.01")
    ) == expected.quantize(Decimal("0.01"))
    assert abs(Decimal(report.partitions[0].billed_total) - expected) < Decimal("1e-8")
    assert report.count("loaded") == 1 and report.count("quarantined") == 11


def test_quarantine_layout(bad_run):
    _, lake = bad_run
    names = {p.name for p in lake.glob("quarantine/*/*")}
    assert any(n.endswith("__truncated.parquet") for n in names)
    assert any(n.endswith("__truncated.parquet.json") for n in names)
