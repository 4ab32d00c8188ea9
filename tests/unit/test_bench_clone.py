"""The bench's month cloner (tests/bench/clone.py): a cloned period has the generated month's rows
and money, moved to its own dates, ids and manifest."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.samples import generate
from tests.bench.clone import clone_period, earlier_periods, shift_period


def test_earlier_periods_cross_the_year() -> None:
    assert earlier_periods("2026-02", 3) == ["2026-01", "2025-12", "2025-11"]
    assert shift_period("2025-12", 1) == "2026-01"
    assert shift_period("2026-01", -13) == "2024-12"
    assert shift_period("2026-06", 0) == "2026-06"


def test_a_cloned_month_keeps_rows_and_money_and_moves_dates_and_ids(tmp_path: Path) -> None:
    generate(tmp_path, end_date=dt.date(2026, 10, 31), months=1, aws_rows=3000, providers=("aws",))
    root = tmp_path / "aws" / "cur2"
    assert clone_period(root, "2026-10", "2026-09") > 1000
    with pytest.raises(ValueError, match="earlier"):
        clone_period(root, "2026-10", "2026-11")
    con = duckdb.connect()
    q = """select count(*), sum(line_item_unblended_cost::decimal(38, 10)),
                  min(line_item_usage_start_date), max(line_item_usage_end_date),
                  min(bill_billing_period_start_date), count(distinct identity_line_item_id)
           from read_parquet($p, hive_partitioning = false)"""
    data = root / "sibyl-cur2" / "data"
    src = con.execute(q, {"p": f"{data}/BILLING_PERIOD=2026-10/*.parquet"}).fetchone()
    dst = con.execute(q, {"p": f"{data}/BILLING_PERIOD=2026-09/*.parquet"}).fetchone()
    assert src is not None and dst is not None
    assert dst[0] == src[0] and dst[1] == src[1] and isinstance(dst[1], Decimal)
    assert (dst[2], dst[3], dst[4]) == (
        dt.datetime(2026, 9, 1), dt.datetime(2026, 10, 1), dt.datetime(2026, 9, 1),
    )  # fmt: skip
    both = con.execute(
        "select count(distinct identity_line_item_id), count(*) from read_parquet($p)",
        {"p": f"{data}/*/*.parquet"},
    ).fetchone()
    assert both is not None and both[0] == both[1] == 2 * src[0]  # ids unique across periods
    interval = con.execute(
        "select count(*) from read_parquet($p) where identity_time_interval <> "
        "strftime(line_item_usage_start_date, '%Y-%m-%dT%H:%M:%S.000Z') || '/' || "
        "strftime(line_item_usage_end_date, '%Y-%m-%dT%H:%M:%S.000Z')",
        {"p": f"{data}/BILLING_PERIOD=2026-09/*.parquet"},
    ).fetchone()
    assert interval == (0,)
    manifest = json.loads(
        (root / "sibyl-cur2/metadata/BILLING_PERIOD=2026-09/sibyl-cur2-Manifest.json").read_text()
    )
    assert manifest["billingPeriod"]["start"].startswith("2026-09-01")
    files = sorted(p.name for p in (data / "BILLING_PERIOD=2026-09").glob("*.parquet"))
    assert sorted(f.rsplit("/", 1)[1] for f in manifest["dataFiles"]) == files
