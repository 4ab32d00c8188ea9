"""The gate in Dagster: sensor -> dynamic partition -> policy check -> checks table, blocking check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq

from orchestration.defs.gate.assets import iac_policy_check
from orchestration.defs.gate.sensors import ci_plan_files
from orchestration.defs.resources import SibylSettings
from tests.gate_plans import change, plan


def test_sensor_check_and_blocking_result(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SIBYL_DATA_DIR", str(tmp_path / "data"))
    root, pols = tmp_path / "artifacts", tmp_path / "policies"
    (root / "acme").mkdir(parents=True)
    pols.mkdir()
    (pols / "p.yml").write_text(
        "version: 1\npolicies:\n  - {id: cap, kind: max_resource_cost, max_monthly_cost: 50, action: block}\n"
    )
    shutil.copy("tests/iac_fixtures/google/plan.json", root / "acme" / "ok.json")
    (root / "acme" / "big.json").write_text(
        json.dumps(plan(change("aws_instance", "m", {"instance_type": "m5.4xlarge"})))
    )
    (root / "acme" / "big.meta.json").write_text(
        json.dumps({"repo": "acme/infra", "pr": 7, "environment": "prod"})
    )
    sibyl = SibylSettings(
        ci_artifacts_root=str(root), policies_dir=str(pols), marts_dir=str(tmp_path / "marts")
    )

    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance, resources={"sibyl": sibyl})
        result = ci_plan_files(ctx)
        assert sorted(r.partition_key for r in result.run_requests) == [
            "acme/big.json",
            "acme/ok.json",
        ]
        instance.add_dynamic_partitions("iac_plans", ["acme/big.json", "acme/ok.json"])
        ok = dg.materialize(
            [iac_policy_check],
            partition_key="acme/ok.json",
            instance=instance,
            resources={"sibyl": sibyl},
        )
        assert ok.success and ok.get_asset_check_evaluations()[0].passed
        big = dg.materialize(
            [iac_policy_check],
            partition_key="acme/big.json",
            instance=instance,
            resources={"sibyl": sibyl},
            raise_on_error=False,
        )
        check = big.get_asset_check_evaluations()[0]
        assert not check.passed and check.metadata["decision"].value == "block"
        ctx2 = dg.build_sensor_context(
            instance=instance, resources={"sibyl": sibyl}, cursor=result.cursor
        )
        assert not ci_plan_files(ctx2).run_requests

    table = pq.read_table(tmp_path / "marts" / "fct_iac_checks.parquet").to_pylist()
    by = {r["check_id"]: r for r in table}
    assert (
        by["acme/big.json"]["decision"] == "block" and by["acme/big.json"]["repo"] == "acme/infra"
    )
    assert by["acme/big.json"]["pr"] == "7" and by["acme/big.json"]["environment"] == "prod"
    assert str(by["acme/ok.json"]["total_monthly_cost"]) == "17.30"
    assert Path(tmp_path / "data" / "iac" / "checks").exists()
