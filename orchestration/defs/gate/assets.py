"""The IaC cost gate in Dagster: the price catalog, and a policy check per CI plan file."""

import json
import tempfile
from pathlib import Path

import dagster as dg

from iac_gate.catalog import PriceCatalog
from iac_gate.catalog_build import (
    DEFAULT_AZURE,
    DEFAULT_GCP,
    build_catalog,
    fetch_sources,
    libcloud_default,
)
from iac_gate.errors import GateInputError
from iac_gate.gate import run_gate
from orchestration.defs.resources import SibylSettings
from orchestration.lib.ci_artifacts import (
    check_row,
    fetch_plan,
    publish_checks,
    read_sidecar,
    write_check,
)

iac_plans = dg.DynamicPartitionsDefinition(name="iac_plans")
CHECK = "policy_decision_not_block"


class CatalogConfig(dg.Config):
    fetch: bool = False  # download newer public price files first (needs a network)
    azure_regions: list[str] = ["eastus", "westeurope"]


@dg.asset(key=["gate", "price_catalog"], group_name="gate", kinds={"python", "csv"})
def price_catalog(
    context: dg.AssetExecutionContext, config: CatalogConfig, sibyl: SibylSettings
) -> dg.MaterializeResult:
    """Offline list prices per provider/product/SKU/region with source and effective date,
    rebuilt from the public price files (see iac_gate.catalog_build)."""
    s = sibyl.resolved()
    libcloud, gcp, azure = libcloud_default(), DEFAULT_GCP, [DEFAULT_AZURE]
    if config.fetch:
        got = fetch_sources(
            Path(s.price_catalog_dir) / "sources", azure_regions=config.azure_regions
        )
        libcloud, gcp, azure = (
            Path(got["pricing.json"]),
            Path(got["pricing.yml"]),
            [Path(p) for p in got["azure"]],
        )
    report = build_catalog(Path(s.price_catalog_dir), libcloud=libcloud, gcp=gcp, azure=azure)
    context.log.info(f"catalog rows {dict(report.rows)} from {dict(report.by_source)}")
    return dg.MaterializeResult(
        metadata={
            "rows_total": sum(report.rows.values()),
            **{f"rows_{k}": v for k, v in report.rows.items()},
            "by_source": dg.MetadataValue.json(dict(report.by_source)),
            "dropped_zero_prices": dg.MetadataValue.json(dict(report.dropped_zero)),
            "path": dg.MetadataValue.path(s.price_catalog_dir),
        }
    )


@dg.asset(
    key=["gate", "iac_policy_check"],
    group_name="gate",
    partitions_def=iac_plans,
    deps=[price_catalog],
    kinds={"python", "parquet"},
    check_specs=[
        dg.AssetCheckSpec(
            CHECK,
            asset=dg.AssetKey(["gate", "iac_policy_check"]),
            blocking=True,
            description="fails when the plan is blocked by a cost policy",
        )
    ],
)
def iac_policy_check(context: dg.AssetExecutionContext, sibyl: SibylSettings):  # type: ignore[no-untyped-def]
    """Price one CI plan (partition = its path under the artifacts root), apply the policies,
    and write its row of the checks table (fct_iac_checks)."""
    s = sibyl.resolved()
    key = context.partition_key
    meta, problems = read_sidecar(s.ci_artifacts_root, key)
    for p in problems:
        context.log.warning(p)
    built = Path(s.price_catalog_dir) / "aws.csv.gz"
    catalog = PriceCatalog(s.price_catalog_dir) if built.exists() else PriceCatalog()
    policies = s.policies_dir if Path(s.policies_dir).exists() else None
    with tempfile.TemporaryDirectory() as tmp:
        plan = fetch_plan(s.ci_artifacts_root, key, Path(tmp))
        try:
            result = run_gate(
                plan,
                environment=meta.get("environment"),
                policies_path=policies,
                team=meta.get("team"),
                catalog=catalog,
                metadata=meta,
            )
            report = result.to_json()
        except GateInputError as e:
            report = {
                "policy": {"decision": "error", "violations": [], "evaluated": [], "skipped": []},
                "resources": [],
                "unpriced_resources": 0,
                "total_monthly_cost": "0",
                "total_monthly_cost_before": "0",
                "delta_monthly_cost": "0",
                "error": e.problem,
            }
            context.log.error(f"{key}: {e.problem}")
    report["source"] = key
    row = check_row(key, report, meta)
    path = write_check(str(Path(s.data_dir) / "iac" / "checks"), row)
    published, n = publish_checks(str(Path(s.data_dir) / "iac" / "checks"), s.marts_dir)
    decision = report["policy"]["decision"]
    yield dg.MaterializeResult(
        metadata={
            "decision": decision,
            "total_monthly_cost": float(report["total_monthly_cost"]),
            "delta_monthly_cost": float(report["delta_monthly_cost"]),
            "resources": len(report["resources"]),
            "unpriced_resources": report["unpriced_resources"],
            "violations": len(report["policy"]["violations"]),
            "error": report.get("error", ""),
            "check_file": dg.MetadataValue.path(path),
            "fct_iac_checks_rows": n,
            "sidecar": dg.MetadataValue.json(meta),
        }
    )
    blocking = [v for v in report["policy"]["violations"] if v["action"] == "block"]
    yield dg.AssetCheckResult(
        check_name=CHECK,
        passed=decision not in ("block", "error"),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "decision": decision,
            "blocking": dg.MetadataValue.json(blocking[:20]),
            "error": report.get("error", ""),
        },
        description=json.dumps([v["message"] for v in blocking][:5]) if blocking else None,
    )


gate_check_job = dg.define_asset_job(
    "gate_check_plan", selection=[iac_policy_check], partitions_def=iac_plans
)
