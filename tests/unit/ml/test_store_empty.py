"""A table written without columns is removed, not written as an unreadable Parquet file."""

from pathlib import Path

import duckdb
import polars as pl

from models_ml import store


def test_frame_without_columns_removes_the_table_file(tmp_path: Path) -> None:
    lake = str(tmp_path)
    path = store.write_table(lake, "recs/recommendations.parquet", pl.DataFrame({"a": [1, 2]}))
    con = duckdb.connect()
    assert con.execute("select sum(a) from read_parquet($p)", {"p": path}).fetchall() == [(3,)]
    store.write_table(lake, "recs/recommendations.parquet", pl.DataFrame())
    assert not Path(path).exists()  # last run's rows are gone; readers see the typed empty table
    assert store.read_table(lake, "recs").height == 0
    store.write_table(
        lake, "recs/recommendations.parquet", pl.DataFrame()
    )  # nothing to remove: fine
