"""Data health reads issue 10's fct_ingest_files mart by its column names, and lists the
utilization metrics files (loaded per month, quarantined with the reason) for roles that read every
team; a team-scoped user gets neither (they cover the whole bill)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb

from app.cockpit import health
from app.cockpit.queries import Marts
from ingest.metrics.lake import ingest_metrics
from tests.unit.test_metrics_lake import _landing


def test_ingest_files_come_from_the_mart_with_its_column_names(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute(
        """create table f (ingest_file_id varchar, run_id varchar, ingested_at timestamptz, source varchar,
           provider varchar, relative_path varchar, status varchar, reason varchar, row_count bigint,
           billing_periods varchar, billed_total decimal(38,10))"""
    )
    at = dt.datetime(2026, 11, 3, 6, 0, tzinfo=dt.UTC)
    con.execute(
        "insert into f values ('r1:aws/a.csv', 'r1', ?, 'aws', 'aws', 'aws/a.csv', 'loaded', null, 12,"
        " '2026-10', 101.25), ('r1:aws/b.csv', 'r1', ?, 'aws', null, 'aws/b.csv', 'quarantined',"
        " 'aws/b.csv: column line_item_unblended_cost row 3: not a number', 0, '', null)",
        [at, at],
    )
    con.execute(f"copy f to '{tmp_path / 'fct_ingest_files.parquet'}' (format parquet)")
    con.close()
    cols, rows = health.ingest_files(Marts(str(tmp_path)), str(tmp_path / "lake"))
    assert cols == health.INGEST_FILE_COLUMNS
    got = {r[cols.index("rel")]: r for r in rows}
    assert got["aws/a.csv"][cols.index("rows")] == 12
    assert got["aws/a.csv"][cols.index("billed_total")] == Decimal("101.25")
    assert "row 3" in got["aws/b.csv"][cols.index("reason")]
    d = {x["provider"]: x for x in health.last_deliveries(cols, rows)}
    assert (d["aws"]["rel"], d["aws"]["quarantined"]) == ("aws/a.csv", 0)
    assert d["unknown"]["quarantined"] == 1  # no provider recognised: still counted
    assert health.ingest_files(Marts(str(tmp_path), ("payments",)), "")[1] == []


def test_metrics_files_loaded_and_quarantined(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    ingest_metrics(str(_landing(tmp_path)), str(lake))  # 2 files load, broken.json is quarantined
    cols, rows = health.metrics_files(Marts(str(tmp_path)), str(lake))
    by = [dict(zip(cols, r, strict=True)) for r in rows]
    bad = [r for r in by if r["status"] == "quarantined"]
    assert len(bad) == 1 and bad[0]["source_file"] == "azure/broken.json"
    assert "not an Azure resource metric id" in bad[0]["reason"]
    loaded = [r for r in by if r["status"] == "loaded"]
    assert sorted(r["billing_period"] for r in loaded) == ["2019-09", "2024-09"]
    assert sum(r["rows"] for r in loaded) == 5  # 1 CloudWatch point + 4 Azure Monitor points
    assert health.metrics_files(Marts(str(tmp_path), ("payments",)), str(lake))[1] == []


def test_data_quality_findings_errors_first(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute(
        f"""copy (select * from (values
              ('f1', 'aws', 'aws', '2026-10', 'partial_export', 'info', null, 'not final'),
              ('f2', 'gcp', 'gcp', '2026-09', 'file_quarantined', 'error', 'gcp/x.csv', 'cost: not a number'))
              t(finding_id, source, provider, billing_period, rule, severity, relative_path, detail))
            to '{tmp_path / "fct_data_quality.parquet"}' (format parquet)"""
    )
    con.close()
    cols, rows = health.data_quality(Marts(str(tmp_path)))
    assert cols == health.DATA_QUALITY_COLUMNS
    assert [r[cols.index("rule")] for r in rows] == ["file_quarantined", "partial_export"]
    assert health.data_quality(Marts(str(tmp_path), ("payments",)))[1] == []
