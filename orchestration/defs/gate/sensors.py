"""Sensor: new or changed plan files under the CI-artifacts root -> one policy check each."""

import hashlib

import dagster as dg

from orchestration.defs.gate.assets import gate_check_job, iac_plans
from orchestration.defs.resources import SibylSettings
from orchestration.lib.ci_artifacts import plan_keys


@dg.sensor(
    job=gate_check_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED
)
def ci_plan_files(context: dg.SensorEvaluationContext, sibyl: SibylSettings) -> dg.SensorResult:
    s = sibyl.resolved()
    changed, rejected, cursor = plan_keys(s.ci_artifacts_root, context.cursor)
    for r in rejected:
        context.log.warning(f"ignored CI artifact with an unsafe name: {r!r}")
    if not changed:
        return dg.SensorResult(skip_reason="no new or changed plan files", cursor=cursor)
    stamp = hashlib.sha1(cursor.encode(), usedforsecurity=False).hexdigest()[:12]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"{k}:{stamp}", partition_key=k) for k in changed],
        dynamic_partitions_requests=[iac_plans.build_add_request(changed)],
        cursor=cursor,
    )
