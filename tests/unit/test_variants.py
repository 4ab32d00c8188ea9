import csv
import gzip

import pyarrow.parquet as pq
import pytest

from ingest.variants import detect, localized_azure_header, unknown_schema_reason
from tests.conftest import FIXTURES


def header(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


@pytest.mark.parametrize(
    ("rel", "variant"),
    [
        ("aws/sample-anonymous-aws-export-dataset.csv", "aws_cur_legacy"),
        ("aws/2022-07-01-alt-columns.csv", "aws_cur_athena"),
        ("azure/EA_ActualCost_Small.csv", "azure_cost_details"),
        ("azure/EA_AmortizedCost_Small.csv", "azure_cost_details"),
        ("azure/EA_NoRows.csv", "azure_cost_details"),
        ("azure/sample-anonymous-ea-export-dataset.csv", "azure_cost_details"),
        ("gcp/2022-08-01_5.csv", "gcp_flat"),
    ],
)
def test_every_fixture_is_recognised(rel, variant):
    v = detect(header(FIXTURES / rel))
    assert v is not None and v.name == variant


def test_generated_exports_are_recognised(sample_landing):
    cur2 = next(sample_landing.glob("aws/cur2/*/data/*/*.parquet"))
    assert detect(pq.read_schema(cur2).names).name == "aws_cur2"
    gcp = next(sample_landing.glob("gcp/**/*.parquet"))
    assert detect(pq.read_schema(gcp).names).name == "gcp_nested"
    azure = next(sample_landing.glob("azure/exports/*/*/*/*.csv"))
    assert detect(header(azure)).name == "azure_cost_details"


def test_unknown_columns_are_not_guessed():
    assert detect(["date", "amount", "description"]) is None
    # one signature column alone is not enough
    assert detect(["line_item_unblended_cost", "foo"]) is None


def test_gzip_header_detection(tmp_path):
    p = tmp_path / "x.csv.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("lineItem/UnblendedCost,lineItem/LineItemType\n1,Usage\n")
    with gzip.open(p, "rt") as fh:
        assert detect(next(csv.reader(fh))).name == "aws_cur_legacy"


def _all_fixture_headers():
    for path in sorted(FIXTURES.rglob("*.csv")):
        try:
            yield path, header(path)
        except (UnicodeDecodeError, StopIteration):
            continue


def test_no_real_export_header_is_taken_for_a_localized_azure_one():
    checked = 0
    for path, cols in _all_fixture_headers():
        if detect(cols) is not None:
            assert localized_azure_header(cols) is None, path
            checked += 1
    assert checked >= 8


def test_localized_azure_headers_are_named_as_such_without_a_translation_table():
    ea = header(FIXTURES / "azure/EA_ActualCost_Small.csv")
    assert detect(ea) is not None
    # labels in another language with the English name in parentheses (placeholders, not a
    # translation), or translated labels next to Azure names that stay English (MeterId)
    relabelled = [f"Spalte-Ä{i} ({c})" for i, c in enumerate(ea)]
    kept = [
        c if c in ("MeterId", "ResourceId", "SubscriptionId") else f"列{i}"
        for i, c in enumerate(ea)
    ]
    for cols in (relabelled, kept):
        assert detect(cols) is None
        reason = unknown_schema_reason(cols)
        assert "Azure cost export downloaded in another language" in reason
        assert "portal language set to English" in reason and len(reason) <= 600
    # a semicolon-delimited download is read as one column: still recognised
    assert localized_azure_header([";".join(relabelled)]) is not None


def test_foreign_headers_that_name_no_azure_column_stay_unknown():
    for cols in (["Datum", "Betrag", "Kosten (USD)"], ["日付", "金額"], ["date", "amount", "memo"]):
        assert localized_azure_header(cols) is None
        assert unknown_schema_reason(cols).startswith(
            "unknown schema: no known export variant matches the columns ["
        )
