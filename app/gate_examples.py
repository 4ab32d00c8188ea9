"""The demo's IaC checks: copy the example plans (examples/iac_plans, with their CI sidecars) into
the CI-artifacts root, then let the `ci_plan_files` sensor's decision function find them and run
the `gate/iac_policy_check` asset on each, as CI uploads would. One example is blocked."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "iac_plans"


def stage(ci_root: str, examples: Path = EXAMPLES) -> list[str]:
    """Copy each example plan and sidecar to ``<ci_root>/examples/`` (local roots only); returns
    the plan keys."""
    out = Path(ci_root) / "examples"
    out.mkdir(parents=True, exist_ok=True)
    keys = []
    for plan in sorted(examples.glob("*.json")):
        if plan.name.endswith(".meta.json"):
            continue
        shutil.copyfile(plan, out / plan.name)
        meta = plan.with_name(plan.name[: -len(".json")] + ".meta.json")
        if meta.exists():
            shutil.copyfile(meta, out / meta.name)
        keys.append(f"examples/{plan.name}")
    return keys


def run(defs: Any, instance: Any, ci_root: str) -> dict[str, str]:
    """Stage the examples, ask the sensor's decision function which plans are new, and run the
    policy check on each; returns plan key -> decision ('block' fails the run's asset check)."""
    from orchestration.lib.ci_artifacts import plan_keys

    stage(ci_root)
    changed, _, _ = plan_keys(ci_root, None)
    instance.add_dynamic_partitions("iac_plans", changed)
    job = defs.resolve_job_def("gate_check_plan")
    decisions = {}
    for key in changed:
        result = job.execute_in_process(
            instance=instance,
            partition_key=key,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        mats = result.asset_materializations_for_node("gate__iac_policy_check")
        decisions[key] = str(mats[-1].metadata["decision"].value) if mats else "error"
    return decisions
