"""Shared test setup: the dbt manifest is prepared at session start (Dagster's dbt assets need it
at import time, which a fixture would be too late for), and helpers for the pipeline."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
DBT_DIR = REPO / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")
END_DATE = dt.date(2026, 10, 20)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def pytest_sessionstart(session: pytest.Session) -> None:
    subprocess.run(
        [DBT, "parse", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--quiet"],
        check=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


def run_dbt(
    lake: Path | str, warehouse: Path | str, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run dbt against a lake and a warehouse; raises with dbt's output on failure."""
    env = {
        **os.environ,
        "SIBYL_LAKE_ROOT": str(lake),
        "SIBYL_WAREHOUSE": str(warehouse),
        "DBT_TARGET": "duckdb",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    proc = subprocess.run(
        [
            DBT,
            *args,
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(Path(warehouse).parent / "dbt_target"),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"dbt {' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}"
        )
    return proc


@pytest.fixture(scope="session")
def sample_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three months of generated exports for all three clouds (small, deterministic)."""
    from ingest.samples import generate

    out = tmp_path_factory.mktemp("landing")
    generate(out, end_date=END_DATE, months=3, seed=7, scale=0.35)
    return out


@contextmanager
def env_vars(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for a block; the old values come back even when it fails."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_EXIT: dict[str, int] = {}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT["code"] = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave once pytest has printed its summary: DuckDB 2.0's bindings print spurious
    'nanobind: leaked ...' lines during interpreter finalization, after the summary line that
    CI reads."""
    if "code" in _EXIT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT["code"])
