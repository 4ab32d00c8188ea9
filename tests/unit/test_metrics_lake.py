"""Metrics lake writes: partitions by month, idempotent re-delivery, quarantine with a reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from ingest.metrics.lake import ingest_metrics

FIX = Path(__file__).resolve().parents[1] / "metrics_fixtures"


def _landing(tmp_path: Path) -> Path:
    land = tmp_path / "landing" / "metrics"
    (land / "aws").mkdir(parents=True)
    (land / "azure").mkdir()
    for name in (
        "awscli_get_metric_data_example1.json",
        "awscli_get_metric_data_example1.queries.json",
    ):
        shutil.copy(FIX / "aws" / name, land / "aws" / name)
    shutil.copy(
        FIX / "azure" / "az_monitor_metrics_list_functions.json", land / "azure" / "fn.json"
    )
    (land / "azure" / "broken.json").write_text('{"value": [{"id": "nope"}]}')
    return tmp_path / "landing"


def test_ingest_writes_partitions_and_quarantines(tmp_path: Path) -> None:
    landing, lake = _landing(tmp_path), tmp_path / "lake"
    report = ingest_metrics(str(landing), str(lake))
    assert report.loaded == 2 and report.quarantined == 1
    assert report.points == 1 + 4
    parts = sorted(
        p.relative_to(lake).as_posix() for p in (lake / "raw" / "metrics").rglob("*.parquet")
    )
    assert [p.split("/")[2] for p in parts] == ["billing_period=2019-09", "billing_period=2024-09"]
    sidecars = list((lake / "quarantine" / "metrics").glob("*.json"))
    assert len(sidecars) == 1
    reason = json.loads(sidecars[0].read_text())["reason"]
    assert "broken.json" in reason and "not an Azure resource metric id" in reason
    control = next((lake / "_metrics_control").rglob("*.json"))
    assert json.loads(control.read_text())["rows"] in (1, 4)


def test_redelivery_replaces_not_appends(tmp_path: Path) -> None:
    landing, lake = _landing(tmp_path), tmp_path / "lake"
    ingest_metrics(str(landing), str(lake))
    ingest_metrics(str(landing), str(lake))
    files = list((lake / "raw" / "metrics").rglob("*.parquet"))
    assert len(files) == 2
    assert sum(pq.read_table(f).num_rows for f in files) == 5


def test_billing_ingest_leaves_metrics_to_their_own_source() -> None:
    from ingest.discovery import skip_reason as _skip_reason

    assert "own source" in (_skip_reason("metrics/aws/cloudwatch/batch-000.json") or "")
    assert "own source" in (_skip_reason("recommendations/aws/coh.csv") or "")
    assert _skip_reason("aws/cur2/data/x.parquet") is None


def test_oversized_file_is_quarantined_unread(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import ingest.metrics.lake as lake_mod

    landing = _landing(tmp_path)
    monkeypatch.setattr(lake_mod, "MAX_FILE_BYTES", 100)
    report = ingest_metrics(str(landing), str(tmp_path / "lake"))
    big = [
        f for f in report.files if f.status == "quarantined" and "larger than" in (f.reason or "")
    ]
    assert big and all(f.points == 0 for f in big)
