"""Landing and lake on Azure Blob storage through adlfs, against Azurite (Microsoft's storage
emulator, from npm) on 127.0.0.1, started by the test (tests/e2e/storage_servers.py). The whole
pipeline on Azure, S3 and GCS (dbt, publishing, the cockpit) is tests/e2e/test_remote_lake.py."""

from __future__ import annotations

import json

import pytest

from ingest.pipeline import ingest
from tests.conftest import FIXTURES, env_vars
from tests.e2e.storage_servers import azurite_server

pytestmark = pytest.mark.e2e


def check_run(report) -> None:
    status = {f.rel: f.status for f in report.files}
    assert status["aws/sample-anonymous-aws-export-dataset.csv"] == "loaded"
    assert status["gcp/2022-08-01_5.csv"] == "loaded"
    assert status["azure/EA_NoRows.csv"] == "quarantined"
    assert {p.provider for p in report.partitions} == {"aws", "gcp"}


def upload(fs, bucket: str) -> None:
    for rel in (
        "aws/sample-anonymous-aws-export-dataset.csv",
        "gcp/2022-08-01_5.csv",
        "azure/EA_NoRows.csv",
    ):  # noqa: E501
        fs.put_file(str(FIXTURES / rel), f"{bucket}/exports/{rel}")


def test_azure_blob_landing_and_lake(azurite, tmp_path):
    with azurite_server(tmp_path / "azurite") as store:
        fs = store.filesystem()
        fs.mkdir("billing")
        upload(fs, "billing")
        options = json.dumps({"az": store.options})  # az: an alias of abfs
        with env_vars({"SIBYL_STORAGE_OPTIONS": options}):
            report = ingest("abfs://billing/exports", "abfs://billing/lake", work_dir=tmp_path)
            check_run(report)
            fs.invalidate_cache()
            assert fs.glob("billing/lake/raw/aws/billing_period=2023-11/*.parquet")
            assert fs.glob("billing/lake/quarantine/azure/*.json")
