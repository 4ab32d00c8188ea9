"""Sensor: new or re-delivered export files -> ingest runs for the partitions they touch."""

import hashlib
import json

import dagster as dg

from ingest.fs import list_files
from ingest.pipeline import load_catalog
from orchestration.defs.ingest.assets import ingest_job
from orchestration.defs.partitions import billing_periods, key_of
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
    valid = set(billing_periods.get_partition_keys())
    requests = []
    stamp = hashlib.sha1(cursor.encode(), usedforsecurity=False).hexdigest()[:12]
    for provider, periods in sorted(plan.items()):
        keys = sorted(key_of(p) for p in periods if p and key_of(p) in valid)
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
    context.log.info(f"{len(changed)} changed file(s) -> {len(requests)} ingest run(s)")
    return dg.SensorResult(run_requests=requests, cursor=cursor)
