"""The AI budget state on object storage, once per cloud (moto S3, Azurite, gcp-storage-emulator,
each on 127.0.0.1: tests/e2e/storage_servers.py).

SIBYL_DATA_DIR is the bucket's URL and nothing else names a folder: the AI sample's files are
uploaded to the landing → AI ingest writes the lake → the budgets are evaluated and their state
published to ``<marts>/ai_budget_state.json`` in the bucket → the AI page's reader, ``sibyl budget
check`` (a separate process, finding the marts through the settings) and ``sibyl budget override``
(which must count at once) all use that object. Spend is checked against the generator's own
Decimal totals per provider.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.cockpit.ai_queries import budget_state
from app.cockpit.queries.core import Marts
from ingest.ai.runs import run_ai_budgets, run_ai_ingest
from ingest.samples.ai import generate_ai
from orchestration.settings import Settings
from tests.e2e.storage_servers import (
    Store,
    azurite_server,
    gcs_emulator,
    moto_server,
    use_bucket_data_dir,
)

pytestmark = pytest.mark.e2e
BUCKET = "sibyl-ai"
END = dt.date(2026, 11, 30)  # 21 days from 2026-11-10: every monthly budget sees them all
SIBYL = Path(sys.executable).parent / "sibyl"
STATE = f"{BUCKET}/marts/ai_budget_state.json"


def _server(backend: str, tmp_path: Path) -> AbstractContextManager[Store]:
    if backend == "s3":
        return moto_server()
    if backend == "abfs":
        return azurite_server(tmp_path / "azurite")
    return gcs_emulator()


@pytest.fixture(params=["s3", "abfs", "gs"])
def remote(request, tmp_path, monkeypatch) -> Iterator[tuple[Store, Settings, dict[str, Any]]]:
    """An emulator whose bucket holds the AI sample in its landing folder; settings pointing at
    it through SIBYL_DATA_DIR only; the sample's ground truth."""
    if request.param == "abfs":
        request.getfixturevalue("azurite")  # installs Azurite from npm on first use
    with _server(request.param, tmp_path) as store:
        truth = generate_ai(tmp_path / "sample", END, days=21, seed=3)
        fs = store.filesystem()
        fs.mkdir(BUCKET)
        for f in sorted((tmp_path / "sample" / "ai").rglob("*")):
            if f.is_file():
                rel = f.relative_to(tmp_path / "sample").as_posix()
                fs.put_file(str(f), f"{BUCKET}/landing/{rel}")
        use_bucket_data_dir(store, BUCKET, tmp_path / "state", monkeypatch)
        yield store, Settings.from_env(), truth


def sibyl(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, with the test's environment (the bucket's settings)."""
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(SIBYL), *args], env=dict(os.environ), capture_output=True, text=True, check=False
    )


def check(scope: str, estimate: str = "0.50") -> tuple[int, dict[str, Any]]:
    p = sibyl("budget", "check", "--scope", scope, "--estimate-cost", estimate)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)


def test_ai_budget_state_lives_in_the_bucket(remote, tmp_path) -> None:
    store, s, truth = remote
    assert s.marts_dir == f"{store.scheme}://{BUCKET}/marts"
    report = run_ai_ingest(s.landing_root, s.lake_root, "")
    assert report.rows > 0 and not report.quarantined
    rows = run_ai_budgets(s.lake_root, s.marts_dir, "")  # the demo's budgets (examples/ai)

    # published once, in the bucket (read back by the test's own client), nothing local
    fs = store.filesystem()
    fs.invalidate_cache()
    with fs.open(STATE, "rb") as fh:
        doc = json.load(fh)
    assert doc["budgets"] == json.loads(json.dumps(rows, default=str)) and doc["overrides"] == []
    assert not (tmp_path / "state" / "marts").exists()
    by_id = {r["budget_id"]: r for r in doc["budgets"]}
    for provider, total in truth["totals"].items():  # the generator's Decimal sum of every call
        assert abs(Decimal(by_id[f"{provider}-monthly"]["spent"]) - Decimal(total)) < Decimal(
            "0.01"
        )

    # the AI page reads it from the bucket; a team user sees only their agents' budgets
    assert budget_state(Marts(s.marts_dir), None) == doc["budgets"]
    assert [r["budget_id"] for r in budget_state(Marts(s.marts_dir), {"support-bot"})] == [
        "support-bot-daily"
    ]

    # `sibyl budget check` finds the state through the settings (SIBYL_DATA_DIR is the bucket)
    runaway = f"agent:{truth['runaway']['agent']}"
    code, verdict = check(runaway)
    assert code == 1 and verdict["budgets"][0]["breaker_state"] == "open"
    code, verdict = check("agent:support-bot", "0.01")
    assert code == 0 and verdict["budgets"][0]["spent"] == by_id["support-bot-daily"]["spent"]

    # a manual override is written into the bucket's state and counts at once
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    p = sibyl("budget", "override", "--scope", runaway, "--until", until.isoformat(),
              "--by", "ana", "--note", "incident 42")  # fmt: skip
    assert p.returncode == 0, p.stderr
    fs.invalidate_cache()
    with fs.open(STATE, "rb") as fh:
        after = json.load(fh)
    assert after["budgets"] == doc["budgets"]
    assert [(o["scope"], o["until"], o["by"]) for o in after["overrides"]] == [
        (runaway, until.isoformat(), "ana")
    ]
    code, verdict = check(runaway)
    assert code == 0 and verdict["budgets"][0]["breaker_state"] == "half_open"
    assert verdict["budgets"][0]["override_until"] == until.isoformat()
    assert not (tmp_path / "state" / "marts").exists()
