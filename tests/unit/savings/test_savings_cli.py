"""`sibyl savings`: list reads the published inbox with the status log over it; accept / dismiss
write the log; unknown ids and a dismissal without a note exit 2 with the reason."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from app.cli import main
from models_ml.savings.inbox import OPPORTUNITY_SCHEMA, current_statuses, merge_detections
from models_ml.savings.usage import Opportunity
from tests.conftest import env_vars


@pytest.fixture
def data(tmp_path: Path) -> Path:
    marts = tmp_path / "marts"
    marts.mkdir()
    found = [
        Opportunity(
            "aaa",
            "aws",
            "i-1",
            "payments",
            "idle",
            "Idle instance m5.xlarge",
            Decimal("140.16"),
            0.9,
            {},
        ),
        Opportunity(
            "bbb",
            "aws",
            "vol-1",
            "data",
            "modernize",
            "Move gp2 volume to gp3",
            Decimal("20.00"),
            0.9,
            {},
        ),
    ]
    table = merge_detections(
        pl.DataFrame(schema=OPPORTUNITY_SCHEMA), found, dt.datetime(2026, 10, 20, tzinfo=dt.UTC)
    )
    table = table.with_columns(pl.lit("open").alias("status"), pl.lit(None, pl.String).alias("status_changed_by"),
                               pl.lit(None, pl.String).alias("status_note"))  # fmt: skip
    table.write_parquet(marts / "fct_savings_opportunities.parquet")
    return tmp_path


def test_list_accept_dismiss(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = {
        "SIBYL_DATA_DIR": str(data),
        "SIBYL_MARTS_DIR": str(data / "marts"),
        "SIBYL_LAKE_ROOT": str(data / "lake"),
    }
    with env_vars(env):
        assert main(["savings", "list"]) == 0
        out = capsys.readouterr().out
        assert "aaa" in out and "2 opportunities, $160.16 per month" in out
        assert main(["savings", "accept", "aaa", "--by", "ana"]) == 0
        assert main(["savings", "dismiss", "bbb", "--by", "bo", "--note", ""]) == 2
        assert "needs a note" in capsys.readouterr().err
        assert main(["savings", "dismiss", "nope", "--by", "bo", "--note", "x"]) == 2
        assert main(["savings", "list", "--status", "accepted", "--format", "json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert [r["opportunity_id"] for r in rows] == ["aaa"]
        assert current_statuses(str(data / "lake"))["aaa"]["changed_by"] == "ana"


def test_list_without_mart_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with env_vars({"SIBYL_DATA_DIR": str(tmp_path), "SIBYL_MARTS_DIR": str(tmp_path / "none")}):
        assert main(["savings", "list"]) == 2
    assert "not published yet" in capsys.readouterr().err
