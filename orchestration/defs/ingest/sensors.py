"""Sensor: new or re-delivered export files -> ingest runs for the partitions they touch.

Billing periods seen for the first time are registered as partitions in the same evaluation
(Dagster adds them before it launches the runs)."""

import hashlib
import json

import dagster as dg

from ingest.fs import list_files
from ingest.pipeline import load_catalog
from orchestration.defs.ingest.assets import ingest_job
from orchestration.defs.partitions import (
    BILLING_PERIOD,
    billing_periods,
    is_period,
    key_of,
    new_keys,
)
from orchestration.defs.resources import SibylSettings
from orchestration.lib.sensing import changed_files, partitions_for


@dg.sensor(
    job=ingest_job, minimum_interval_seconds=300, default_status=dg.DefaultSensorStatus.STOPPED
)
def new_export_files(context: dg.SensorEvaluationContext, sibyl: SibylSettings) -> dg.SensorResult:
    s = sibyl.resolved()
    _, files = list_files(s.landing_root)
    changed, cursor = changed_files(files, context.cursor)
    if not changed:
        return dg.SensorResult(skip_reason="no new or re-delivered export files", cursor=cursor)
    plan = partitions_for(changed, load_catalog(s.lake_root).get("files", {}))
    periods_seen = {p for periods in plan.values() for p in periods}
    added = new_keys(periods_seen, context.instance.get_dynamic_partitions(BILLING_PERIOD))
    requests = []
    stamp = hashlib.sha1(cursor.encode(), usedforsecurity=False).hexdigest()[:12]
    for provider, periods in sorted(plan.items()):
        keys = sorted(key_of(p) for p in periods if is_period(p))
        asset = dg.AssetKey(["lake", f"raw_{provider}_billing"])
        for key in keys:
            requests.append(
                dg.RunRequest(
                    run_key=f"{provider}:{key}:{stamp}",
                    partition_key=key,
                    asset_selection=[asset],
                    tags={"sibyl/changed_files": json.dumps([f.rel for f in changed][:20])},
                )
            )
    context.log.info(
        f"{len(changed)} changed file(s) -> {len(requests)} ingest run(s), "
        f"{len(added)} new billing period(s)"
    )
    return dg.SensorResult(
        run_requests=requests,
        cursor=cursor,
        dynamic_partitions_requests=[billing_periods.build_add_request(added)] if added else [],
    )
