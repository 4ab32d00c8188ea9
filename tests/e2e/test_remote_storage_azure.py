"""Landing and lake on Azure Blob storage through adlfs, against Azurite (Microsoft's storage
emulator, from npm) on 127.0.0.1, started by the test.

GCS is not covered by an emulator test: gcsfs 2026.x probes each bucket's type over gRPC with
TLS, which gcp-storage-emulator (HTTP only) cannot answer."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from tests.conftest import FIXTURES, REPO

pytestmark = pytest.mark.e2e

AZURITE_DIR = REPO / ".tools" / "azurite"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="  # Azurite's published development account key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{what} did not start on port {port}")


@contextmanager
def storage_options(options: dict[str, object]) -> Iterator[None]:
    old = os.environ.get("SIBYL_STORAGE_OPTIONS")
    os.environ["SIBYL_STORAGE_OPTIONS"] = json.dumps(options)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SIBYL_STORAGE_OPTIONS", None)
        else:
            os.environ["SIBYL_STORAGE_OPTIONS"] = old


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


@pytest.fixture(scope="module")
def azurite() -> Path:
    exe = AZURITE_DIR / "node_modules" / ".bin" / "azurite-blob"
    if not exe.exists():
        if not shutil.which("npm"):
            pytest.fail("npm is needed to install Azurite (the Azure Storage emulator)")
        AZURITE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(AZURITE_DIR),
                "--no-audit",
                "--no-fund",
                "--silent",
                "azurite@3",
            ],
            check=True,
        )
    return exe


def test_azure_blob_landing_and_lake(azurite, tmp_path):
    from adlfs import AzureBlobFileSystem

    port = free_port()
    proc = subprocess.Popen(
        [
            str(azurite),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--location",
            str(tmp_path / "azurite"),
            "--silent",
            "--skipApiVersionCheck",
            "--loose",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, proc, "azurite")
        conn = (
            f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"  # noqa: E501
            f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
        )
        fs = AzureBlobFileSystem(connection_string=conn)
        fs.mkdir("billing")
        upload(fs, "billing")
        with storage_options({"az": {"connection_string": conn}}):  # alias of abfs
            report = ingest("abfs://billing/exports", "abfs://billing/lake", work_dir=tmp_path)
            check_run(report)
            fs.invalidate_cache()
            assert fs.glob("billing/lake/raw/aws/billing_period=2023-11/*.parquet")
            assert fs.glob("billing/lake/quarantine/azure/*.json")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
