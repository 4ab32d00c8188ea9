"""Publish marts as Parquet files for readers (cockpit, analysts) — DESIGN.md, Serving.

DuckDB allows one writer per file: readers never open the warehouse while a pipeline writes.
Each mart is copied with a short read-only connection to ``<marts_dir>/<name>.parquet``, written
under a temporary name and renamed into place, so a reader sees the old or the new file, whole.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ingest import fs as lakefs
from ingest.sql import ident
from ingest.warehouse import connect_read_only

MARTS = (
    "fct_daily_costs",
    "fct_resource_daily_costs",
    "fct_cost_by_team_30d",
    "fct_untagged_resources",
    "fct_tag_compliance",
    "fct_reconciliation",
    "fct_resource_attribution",
    "fct_ingest_files",
    "fct_data_quality",
    "fct_allocated_costs_monthly",
    "dim_teams",
    "dim_services",
    "dim_accounts",
    "fct_commitments",
    "fct_commitment_daily",
    "fct_rate_optimization_daily",
    "fct_savings_kpis",
)
# Row order of a published file, where readers filter on it: Parquet row groups keep min/max per
# column, so a team page reading one team's resources skips the other teams' row groups (10M-line
# CUR: 0.5 s -> 0.05 s, and the file is 27% smaller).
PUBLISH_ORDER = {"fct_resource_daily_costs": "team_id, charge_date"}
ML_MARTS = (
    "fct_cost_anomalies",
    "fct_anomaly_series",
    "fct_cost_forecasts",
    "fct_budget_status",
    "fct_savings_opportunities",
    "fct_purchase_recommendations",
    "fct_purchase_savings_curve",
)


def publish_marts(
    warehouse_path: str, marts_dir: str, marts: tuple[str, ...] = MARTS
) -> dict[str, int]:
    """Copy each mart to ``marts_dir/<mart>.parquet`` atomically; returns rows per mart."""
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="sibyl-publish-") as tmp:
        con = connect_read_only(warehouse_path)
        try:
            for name in marts:
                out = Path(tmp) / f"{name}.parquet"
                # the order is a constant of this module; the mart name is quoted by ident()
                order = f" order by {PUBLISH_ORDER[name]}" if name in PUBLISH_ORDER else ""
                relation = con.sql(f"select * from marts.{ident(name)}{order}")  # noqa: S608
                relation.write_parquet(str(out), compression="zstd")
                count = con.execute(f"select count(*) from marts.{ident(name)}").fetchall()  # noqa: S608
                rows[name] = int(count[0][0])
                lakefs.put_atomic(out, marts_dir, f"{name}.parquet")
        finally:
            con.close()
    return rows
