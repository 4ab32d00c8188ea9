"""Incremental rebuild of one billing period equals a fresh full build.

Build the sample exports (3 periods, 3 clouds) in full; restate one month's AWS CUR (a tenth of
its line items dropped, as a corrected redelivery would); re-ingest only that month and run dbt
for that month alone: with SIBYL_BILLING_PERIODS in dbt's environment (what the ingest sensor
and the bench run; partial parsing holds) or with var billing_periods (a hand-run dbt). The
incremental models, the allocation weights pruned to the month among them, rebuild only that
month; the other marts rebuild from the facts. Every mart must then equal, row for row
and money to the cent, a fresh full build of the restated exports; the restated month must differ
from the first build (the rebuild did something) and the other months must not.
"""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.pipeline import ingest
from orchestration.lib.sensing import REBUILD_PERIODS_ENV, dbt_build_env
from tests.conftest import run_dbt

pytestmark = pytest.mark.e2e

PERIOD = "2026-09"
# run metadata (run ids, ingest timestamps) differs between any two builds by design
RUN_METADATA_MARTS = {"fct_ingest_files", "fct_data_quality"}


def _build(
    landing: Path, root: Path, *, periods: list[str] | None = None, how: str = "environment"
) -> None:
    report = ingest(str(landing), str(root / "lake"), periods=periods)
    assert not report.quarantined
    wh = root / "warehouse.duckdb"
    if periods is None:
        run_dbt(root / "lake", wh, "seed")
        run_dbt(root / "lake", wh, "run", "--exclude", "tag:ml")
    elif how == "environment":
        os.environ.update(dbt_build_env(periods))
        try:
            run_dbt(root / "lake", wh, "run", "--exclude", "tag:ml")
        finally:
            os.environ.update(dbt_build_env([]))
    else:
        rebuild_vars = json.dumps({"billing_periods": periods})
        run_dbt(root / "lake", wh, "run", "--exclude", "tag:ml", "--vars", rebuild_vars)


def _restate(landing: Path) -> None:
    """Drop every tenth line item of the period's AWS CUR file(s) and give a fifth of its resources
    a tag set no earlier delivery has (the rebuild reads only this month's tags), in place."""
    files = sorted(landing.glob(f"aws/**/BILLING_PERIOD={PERIOD}/*.parquet"))
    assert files, "the sample has an AWS CUR for the period"
    con = duckdb.connect()
    for f in files:
        path = str(f).replace("'", "''")  # a test temp path, quoted as a SQL string
        con.execute(
            f"create or replace table t as select * exclude (file_row_number) replace ("  # noqa: S608
            # whole resources, so no resource-day mixes tag sets (fct_resource_daily_costs keeps
            # the latest charge's tags, and charges of one day tie on their start)
            f"  case when hash(line_item_resource_id) % 5 = 1"
            f"  then map_concat(resource_tags, map(['user_Restated'], ['yes']))"
            f"  else resource_tags end as resource_tags) "
            f"from read_parquet('{path}', file_row_number = true) where file_row_number % 10 <> 3"
        )
        con.execute(f"copy t to '{path}' (format parquet)")
    con.close()


def _marts(wh: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        return {
            n: sorted(
                con.execute(f'select * from marts."{n}"').fetchall(),  # noqa: S608 (catalog names)
                key=repr,
            )
            for n in names
            if n not in RUN_METADATA_MARTS
        }
    finally:
        con.close()


def _aws_billed_per_period(wh: Path) -> dict[str, Decimal]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        rows = con.execute(
            "select strftime(billing_period, '%Y-%m'), sum(billed_cost) from marts.fct_charges "
            "where provider = 'aws' group by 1"
        ).fetchall()
    finally:
        con.close()
    return {p: Decimal(str(v)) for p, v in rows}


@pytest.mark.parametrize("how", ["environment", "vars"])
def test_one_month_rebuild_equals_a_full_build(tmp_path, sample_landing, monkeypatch, how):
    monkeypatch.setenv(REBUILD_PERIODS_ENV, "")
    landing = tmp_path / "landing"
    shutil.copytree(sample_landing, landing)
    inc, fresh = tmp_path / "incremental", tmp_path / "fresh"
    _build(landing, inc)
    before = _aws_billed_per_period(inc / "warehouse.duckdb")

    _restate(landing)
    _build(landing, inc, periods=[PERIOD], how=how)
    _build(landing, fresh)

    got, want = _marts(inc / "warehouse.duckdb"), _marts(fresh / "warehouse.duckdb")
    assert {"fct_charges", "fct_charges_allocated", "fct_daily_costs"} <= set(want)
    assert set(got) == set(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs from a full build after the rebuild"

    con = duckdb.connect(str(inc / "warehouse.duckdb"), read_only=True)
    try:
        restated_tags = con.execute(
            "select count(*) from marts.fct_charges where normalized_tags_json like '%restated%'"
        ).fetchone()[0]  # type: ignore[index]
        bad = con.execute(
            "select count(*) from marts.fct_reconciliation where not is_reconciled"
        ).fetchone()[0]  # type: ignore[index]
    finally:
        con.close()
    assert restated_tags > 0, "the tag sets first seen in the restated month were normalized"

    after = _aws_billed_per_period(inc / "warehouse.duckdb")
    assert after[PERIOD] != before[PERIOD], "the restated month changed"
    assert {p: v for p, v in after.items() if p != PERIOD} == {
        p: v for p, v in before.items() if p != PERIOD
    }
    assert bad == 0


def test_a_period_pruned_from_the_lake_leaves_the_marts(tmp_path, sample_landing, monkeypatch):
    """A month whose exports are withdrawn (landing files removed, `sibyl ingest --prune`) and then
    rebuilt for that month keeps no row in any mart: the incremental models delete the rebuilt
    periods before appending (delete+insert alone deletes only the periods the new rows have, so
    the withdrawn month's money stayed in every fact). The marts then equal a fresh full build of
    the remaining exports."""
    monkeypatch.setenv(REBUILD_PERIODS_ENV, "")
    gone = "2026-08"
    landing = tmp_path / "landing"
    shutil.copytree(sample_landing / "aws", landing / "aws")  # one provider: the month is all gone
    inc, fresh = tmp_path / "incremental", tmp_path / "fresh"
    _build(landing, inc)
    assert gone in _aws_billed_per_period(inc / "warehouse.duckdb")

    for part in sorted(landing.glob(f"aws/**/BILLING_PERIOD={gone}")):
        shutil.rmtree(part)
    report = ingest(str(landing), str(inc / "lake"), periods=[gone], prune=True)
    assert not report.quarantined
    monkeypatch.setenv(REBUILD_PERIODS_ENV, gone)
    run_dbt(inc / "lake", inc / "warehouse.duckdb", "run", "--exclude", "tag:ml")
    monkeypatch.setenv(REBUILD_PERIODS_ENV, "")
    _build(landing, fresh)

    assert gone not in _aws_billed_per_period(inc / "warehouse.duckdb")
    got, want = _marts(inc / "warehouse.duckdb"), _marts(fresh / "warehouse.duckdb")
    assert set(got) == set(want)
    for name in want:
        assert got[name] == want[name], f"{name} keeps rows of the withdrawn month"
