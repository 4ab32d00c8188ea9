"""Local object-store emulators for the remote-storage e2e tests, each started on 127.0.0.1 on a
free port: moto's S3 server, Azurite (Azure Blob; npm) and gcp-storage-emulator (GCS; PyPI).

Each ``*_server`` context manager yields a ``Store``: the URL scheme, the fsspec options a
client needs (what a user puts in ``SIBYL_STORAGE_OPTIONS``) and the environment variables the
cloud's SDK reads (fake credentials). Real servers, no mocks of our own (DESIGN.md).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
AZURITE_DIR = REPO / ".tools" / "azurite"
# Azurite's published development account key (documented by Microsoft; not a secret)
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


@dataclass(frozen=True)
class Store:
    scheme: str  # "s3", "abfs", "gs"
    options: dict[str, Any]  # fsspec options of that scheme (SIBYL_STORAGE_OPTIONS)
    env: dict[str, str] = field(default_factory=dict)  # the SDK's credentials (fake)

    def filesystem(self) -> Any:
        """A client of the store, built here from the options (not through Sibyl's code)."""
        if self.scheme == "s3":
            import s3fs

            return s3fs.S3FileSystem(key="testing", secret="testing", **self.options)
        if self.scheme == "abfs":
            from adlfs import AzureBlobFileSystem

            return AzureBlobFileSystem(**self.options)
        from gcsfs.core import GCSFileSystem

        return GCSFileSystem(**self.options)


# Settings that would override the defaults derived from SIBYL_DATA_DIR.
DATA_DIR_OVERRIDES = (
    "SIBYL_LANDING_ROOT",
    "SIBYL_LAKE_ROOT",
    "SIBYL_MARTS_DIR",
    "SIBYL_WAREHOUSE",
    "SIBYL_CONFIG_DIR",
)


def use_bucket_data_dir(
    store: Store, bucket: str, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Point Sibyl's settings at ``<scheme>://<bucket>`` (landing, lake and marts under it, local
    state in ``state_dir``) for the rest of the test; returns the variables set."""
    env = {
        **store.env,
        "SIBYL_DATA_DIR": f"{store.scheme}://{bucket}",
        "SIBYL_STATE_DIR": str(state_dir),
        "SIBYL_STORAGE_OPTIONS": json.dumps({store.scheme: store.options}),
    }
    for var in DATA_DIR_OVERRIDES:
        monkeypatch.delenv(var, raising=False)  # the defaults under SIBYL_DATA_DIR apply
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, proc: subprocess.Popen[bytes], what: str, seconds: float = 60) -> None:
    """Wait until ``proc`` accepts connections on ``port``; fail (and stop it) otherwise."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail(f"{what} did not start on port {port}")


@contextmanager
def _running(cmd: list[str], port: int, what: str) -> Iterator[None]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, proc, what)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def moto_server() -> Iterator[Store]:
    port = free_port()
    cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with _running(cmd, port, "moto server"):
        url = f"http://127.0.0.1:{port}"
        yield Store(
            "s3",
            {"endpoint_url": url},
            {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
            },
        )


def azurite_exe() -> Path:
    """Azurite's blob server, installed from npm into .tools/azurite the first time."""
    exe = AZURITE_DIR / "node_modules" / ".bin" / "azurite-blob"
    if not exe.exists():
        if not shutil.which("npm"):
            pytest.skip("npm is not installed: it is needed to install Azurite (npm `azurite`)")
        AZURITE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(AZURITE_DIR), "--no-audit", "--no-fund",
             "--silent", "azurite@3"],
            check=True,
        )  # fmt: skip
    return exe


@contextmanager
def azurite_server(workdir: Path) -> Iterator[Store]:
    port = free_port()
    cmd = [str(azurite_exe()), "--blobHost", "127.0.0.1", "--blobPort", str(port),
           "--location", str(workdir), "--silent", "--skipApiVersionCheck", "--loose"]  # fmt: skip
    with _running(cmd, port, "azurite"):
        conn = (
            f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
        )
        yield Store("abfs", {"connection_string": conn})


@contextmanager
def gcs_emulator() -> Iterator[Store]:
    """gcp-storage-emulator (PyPI, pure Python, in memory): the GCS JSON API that gcsfs's
    JSON-API filesystem speaks (docs/remote_storage.md says why this one)."""
    try:
        import gcp_storage_emulator  # noqa: F401
    except ImportError:
        pytest.skip("gcp-storage-emulator is not installed (a dev dependency: make install)")
    port = free_port()
    cmd = [sys.executable, "-m", "gcp_storage_emulator", "start", "--host", "127.0.0.1",
           "--port", str(port), "--in-memory"]  # fmt: skip
    with _running(cmd, port, "gcp-storage-emulator"):
        url = f"http://127.0.0.1:{port}"
        yield Store("gs", {"endpoint_url": url, "token": "anon", "project": "sibyl-test"})
