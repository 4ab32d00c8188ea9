"""Zero-copy ingest: a Parquet delivery wholly in one billing period is stored as delivered and
its lineage comes from the partition manifest; a delivery spanning periods is still rewritten.

Expected values come from the landing files themselves (DuckDB reads of the delivered bytes,
hashes), not from the lake code under test.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb

from ingest.lake import read_lake
from ingest.pipeline import ingest


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cur2_landing(sample_landing: Path, dst: Path) -> list[Path]:
    files = sorted(sample_landing.glob("aws/cur2/**/*"))
    for p in files:
        if p.is_file():
            target = dst / p.relative_to(sample_landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, target)
    return sorted(dst.glob("aws/cur2/*/data/*/*.parquet"))


def test_a_one_period_parquet_delivery_is_stored_as_delivered(sample_landing, tmp_path):
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    delivered = _cur2_landing(sample_landing, landing)
    report = ingest(str(landing), str(lake), providers=["aws"], zero_copy=True)
    stored = sorted(lake.glob("raw/aws/billing_period=*/aws_cur2__*/*.parquet"))
    assert len(stored) == len(delivered) >= 3
    assert sorted(_sha(p) for p in stored) == sorted(_sha(p) for p in delivered)
    assert not list(lake.glob("raw/aws/*/aws_cur2__*.parquet"))  # nothing rewritten
    for part in report.partitions:
        control = json.loads(
            (
                lake / f"_control/aws/billing_period={part.billing_period}/"
                f"{part.variant}__{part.dataset}.json"
            ).read_text()
        )
        assert control["stored"] == "registered"
        assert [r["source_file"] for r in control["registered"]] == part.source_files

    # lineage at read time: row k of the delivered file is _source_row k of its landing name
    con = duckdb.connect()
    first = delivered[0]
    rel = first.relative_to(landing).as_posix()
    expected = con.execute(
        "select file_row_number + 1, identity_line_item_id, line_item_unblended_cost"
        " from read_parquet($p, file_row_number = true) order by 1",
        {"p": str(first)},
    ).fetchall()
    got = (
        read_lake(con, str(lake), "aws")
        .filter(f"_source_file = '{rel}'")
        .order("_source_row")
        .select("_source_row, identity_line_item_id, line_item_unblended_cost")
        .fetchall()
    )
    assert got == expected
    lineage = set(
        read_lake(con, str(lake), "aws")
        .select("_schema_variant, _provider, _billing_currency, _dataset_type")
        .distinct()
        .fetchall()
    )
    currencies = con.execute(
        "select distinct line_item_currency_code from read_parquet($p)",
        {"p": [str(p) for p in delivered]},
    ).fetchall()
    assert lineage == {("aws_cur2", "aws", c, "actual") for (c,) in currencies}


def test_a_parquet_delivery_spanning_periods_is_rewritten_and_the_old_layout_removed(
    sample_landing, tmp_path
):
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    delivered = _cur2_landing(sample_landing, landing)
    ingest(str(landing), str(lake), providers=["aws"], zero_copy=True)
    # re-delivery: two months' rows in one file of one delivery folder without a period
    # (discovery then reads the periods from the rows)
    con = duckdb.connect()
    a, b = delivered[0], delivered[1]
    both = landing / "aws" / "cur2-merged" / "merged.parquet"
    both.parent.mkdir(parents=True)
    con.execute(
        "copy (select * from read_parquet($p, union_by_name = true)) to '"
        + str(both).replace("'", "''")
        + "' (format parquet)",
        {"p": [str(a), str(b)]},
    )
    for p in delivered:
        p.unlink()
    report = ingest(str(landing), str(lake), providers=["aws"], prune=True, zero_copy=True)
    [merged] = [f for f in report.files if f.rel.endswith("merged.parquet")]
    assert merged.status == "loaded", merged.reason
    assert len(merged.periods) == 2
    for period in merged.periods:
        assert list(lake.glob(f"raw/aws/billing_period={period}/*__*.parquet"))
    n_rows = con.execute("select count(*) from read_parquet($p)", {"p": str(both)}).fetchall()[0]
    lake_rows = (
        read_lake(con, str(lake), "aws")
        .filter("_source_file = 'aws/cur2-merged/merged.parquet'")
        .count("*")
        .fetchall()[0]
    )
    assert lake_rows == n_rows
    # every lake row is the merged file's, once: the registered copies were pruned
    total = read_lake(con, str(lake), "aws").count("*").fetchall()[0]
    assert total == n_rows


def test_registered_and_rewritten_lakes_read_the_same_rows_and_lineage(sample_landing, tmp_path):
    landing = tmp_path / "landing"
    _cur2_landing(sample_landing, landing)
    ingest(str(landing), str(tmp_path / "zero"), providers=["aws"], zero_copy=True)
    ingest(str(landing), str(tmp_path / "rewritten"), providers=["aws"], zero_copy=False)
    assert not list((tmp_path / "rewritten").glob("raw/aws/*/*__*/*.parquet"))
    con = duckdb.connect()
    cols = (
        "_source_file, _source_row, _schema_variant, _dataset, _dataset_type, _provider,"
        " _billing_currency, identity_line_item_id, line_item_unblended_cost, resource_tags"
    )
    rows = {
        lake: read_lake(con, str(tmp_path / lake), "aws", variant="aws_cur2")
        .select(cols)
        .order("_source_file, _source_row")
        .fetchall()
        for lake in ("zero", "rewritten")
    }
    assert rows["zero"] == rows["rewritten"] and len(rows["zero"]) > 100


def _dbt_registered_read(lake: Path, variant: str) -> str:
    """dbt's lake_registered_read macro rendered with plain Jinja (var, return and the file's own
    sql_string), so the test runs the SQL dbt would run without starting dbt."""
    import jinja2

    returned: list[str] = []

    def _return(value: str) -> str:
        returned.append(value)
        return ""

    macros = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "lake.sql"
    env = jinja2.Environment(extensions=["jinja2.ext.do"], autoescape=False)  # noqa: S701 -- SQL, not HTML
    module = env.from_string(macros.read_text()).make_module(
        {"var": lambda name: str(lake), "return": _return}
    )
    pattern = f"{lake}/raw/aws/*/{variant}__*/*.parquet"
    macro = module.lake_registered_read  # type: ignore[attr-defined]
    macro("aws", variant, pattern, "union_by_name = true, hive_partitioning = false")
    return returned[-1]


def test_python_and_dbt_read_registered_deliveries_with_the_same_lineage(sample_landing, tmp_path):
    # The lineage-at-read SQL exists twice (ingest/lake.py for the Python readers and the
    # Postgres loader, macros/lake.sql for dbt): the two must give the same rows and columns.
    landing, lake = tmp_path / "landing", tmp_path / "lake"
    _cur2_landing(sample_landing, landing)
    ingest(str(landing), str(lake), providers=["aws"], zero_copy=True)
    con = duckdb.connect()
    python = read_lake(con, str(lake), "aws", variant="aws_cur2")
    dbt = con.sql(_dbt_registered_read(lake, "aws_cur2"))
    assert python.columns == dbt.columns
    order = "_source_file, _source_row"
    assert python.order(order).fetchall() == dbt.order(order).fetchall()
    assert python.count("*").fetchall()[0][0] > 100
