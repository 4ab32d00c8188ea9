"""dbt models as Dagster assets (dbt tests arrive as asset checks), and the published marts."""

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model

from ingest import fs as lakefs
from ingest.pipeline import ingested_periods_since
from orchestration.defs.dbt.project import sibyl_dbt_project, sibyl_dbt_translator
from orchestration.defs.resources import SibylSettings
from orchestration.lib.publish import MARTS, publish_marts
from orchestration.lib.sensing import (
    dbt_build_args,
    dbt_build_env,
    rebuild_periods,
)

LAST_BUILD_REL = "_state/dbt_last_build.json"


def _has_fact_table(warehouse_path: str) -> bool:
    try:
        con = duckdb.connect(warehouse_path, read_only=True)
    except duckdb.Error:
        return False
    try:
        n = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'fct_charges'"
        ).fetchone()
        return bool(n and n[0])
    finally:
        con.close()


@dbt_assets(
    manifest=sibyl_dbt_project.manifest_path,
    project=sibyl_dbt_project,
    exclude="tag:ml",  # the ML marts build after the ML assets (orchestration/defs/ml)
    dagster_dbt_translator=sibyl_dbt_translator,
)
def sibyl_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, sibyl: SibylSettings
) -> Iterator[Any]:
    """`dbt build`; incremental facts rebuild only the billing periods ingested since last time."""
    s = sibyl.resolved()
    s.export_dbt_env()
    last = lakefs.read_text(s.lake_root, LAST_BUILD_REL)
    since = json.loads(last)["finished_at"] if last else None
    started = dt.datetime.now(dt.UTC).isoformat()
    periods = rebuild_periods(
        ingested_periods_since(s.lake_root, since), _has_fact_table(s.warehouse_path)
    )
    args = dbt_build_args()
    context.log.info(f"dbt {' '.join(args)} (billing periods: {', '.join(periods) or 'all'})")
    # dbt.cli copies os.environ when it starts dbt: set the periods for that process only, so no
    # later dbt invocation of this Python process (the ML marts' build) inherits them (patch.dict
    # restores the environment as it was, set or unset)
    with mock.patch.dict(os.environ, dbt_build_env(periods)):
        invocation = dbt.cli(args, context=context)
    yield from invocation.stream()
    with tempfile.TemporaryDirectory() as tmp:
        lakefs.write_text_atomic(
            s.lake_root, LAST_BUILD_REL, json.dumps({"finished_at": started}), Path(tmp)
        )


@dg.asset(
    key=["marts", "published_marts"],
    group_name="publish",
    deps=[get_asset_key_for_model([sibyl_dbt_models], m) for m in MARTS],
    kinds={"parquet"},
    description="Marts copied to <data>/marts/<mart>.parquet (atomic rename) so readers never hold the warehouse.",
)
def published_marts(
    context: dg.AssetExecutionContext, sibyl: SibylSettings
) -> dg.MaterializeResult:
    s = sibyl.resolved()
    rows = publish_marts(s.warehouse_path, s.marts_dir)
    return dg.MaterializeResult(
        metadata={"marts_dir": s.marts_dir, **{f"rows_{k}": v for k, v in rows.items()}}
    )


transform_job = dg.define_asset_job(
    "transform_marts",
    selection=dg.AssetSelection.assets(sibyl_dbt_models, published_marts),
)

daily_transform = dg.ScheduleDefinition(
    name="daily_transform", job=transform_job, cron_schedule="45 5 * * *", execution_timezone="UTC"
)
