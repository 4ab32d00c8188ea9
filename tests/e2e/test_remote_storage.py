"""Landing and lake on object storage, through a real S3 server (moto's server mode on
127.0.0.1; fixture `s3_endpoint` in tests/e2e/conftest.py), with the same code path users get for
s3:// URLs (s3fs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import ingest, load_catalog
from tests.conftest import FIXTURES

pytestmark = pytest.mark.e2e


def test_ingest_from_and_to_s3(s3_endpoint, sample_landing, tmp_path):
    import s3fs

    fs = s3fs.S3FileSystem(endpoint_url=s3_endpoint)
    fs.mkdir("landing")
    fs.mkdir("lake")
    fs.put(str(FIXTURES / "aws"), "landing/exports/aws", recursive=True)
    fs.put(str(FIXTURES / "azure" / "EA_NoRows.csv"), "landing/exports/azure/EA_NoRows.csv")
    cur2 = next(sample_landing.glob("aws/cur2/*"))
    fs.put(str(cur2), f"landing/exports/cur2/{cur2.name}", recursive=True)

    report = ingest("s3://landing/exports", "s3://lake/sibyl", work_dir=tmp_path)
    status = {f.rel: f.status for f in report.files}
    assert status["aws/sample-anonymous-aws-export-dataset.csv"] == "loaded"
    assert status["azure/EA_NoRows.csv"] == "quarantined"
    assert sum(1 for s in status.values() if s == "loaded") == 3 + 3  # fixtures + 3 CUR 2.0 months
    # the CSV fixtures are rewritten; each CUR 2.0 month is a Parquet delivery wholly in one
    # period, stored as delivered (zero-copy) under <variant>__<dataset>/
    rewritten = fs.glob("lake/sibyl/raw/aws/billing_period=*/*.parquet")
    registered = fs.glob("lake/sibyl/raw/aws/billing_period=*/*__*/*.parquet")
    assert (len(rewritten), len(registered)) == (3, 3)
    assert fs.glob("lake/sibyl/quarantine/azure/*__ea_norows.csv.json")
    assert fs.glob("lake/sibyl/_control/aws/billing_period=2023-11/*.json")
    assert load_catalog("s3://lake/sibyl")["files"]
    # no temporary objects are left behind by the atomic writes
    assert not [p for p in fs.find("lake/sibyl") if p.endswith(".tmp")]

    # and the same landing into a local lake gives the same billed totals
    local = ingest("s3://landing/exports", str(tmp_path / "lake"))
    assert local.billed_by_provider_period() == report.billed_by_provider_period()
    assert list(Path(tmp_path / "lake").glob("raw/aws/*/*.parquet"))
