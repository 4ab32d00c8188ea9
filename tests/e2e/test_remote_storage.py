"""Landing and lake on object storage, through a real S3 server (moto's server mode on
127.0.0.1), with the same code path users get for s3:// URLs (s3fs)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import ingest, load_catalog
from tests.conftest import FIXTURES, env_vars

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("moto server did not start")
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "SIBYL_STORAGE_OPTIONS": json.dumps({"s3": {"endpoint_url": url}}),
    }
    with env_vars(env):
        yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_ingest_from_and_to_s3(s3_endpoint, sample_landing, tmp_path):
    import s3fs

    fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": s3_endpoint})
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
    lake_files = fs.glob("lake/sibyl/raw/aws/billing_period=*/*.parquet")
    assert len(lake_files) == 3 + 3
    assert fs.glob("lake/sibyl/quarantine/azure/*__ea_norows.csv.json")
    assert fs.glob("lake/sibyl/_control/aws/billing_period=2023-11/*.json")
    assert load_catalog("s3://lake/sibyl")["files"]
    # no temporary objects are left behind by the atomic writes
    assert not [p for p in fs.find("lake/sibyl") if p.endswith(".tmp")]

    # and the same landing into a local lake gives the same billed totals
    local = ingest("s3://landing/exports", str(tmp_path / "lake"))
    assert local.billed_by_provider_period() == report.billed_by_provider_period()
    assert list(Path(tmp_path / "lake").glob("raw/aws/*/*.parquet"))
