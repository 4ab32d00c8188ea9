"""Savings: utilization metrics ingest, the weekly savings run (rightsizing, idle, modernisation,
commitment purchases), its dbt marts and their publication. Logic lives in ingest/metrics/ and
models_ml/savings/; these are thin adapters."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from iac_gate.catalog import PriceCatalog
from ingest.metrics.lake import ingest_metrics
from models_ml.savings.runner import notify_new, run_savings
from models_ml.savings.usage import Thresholds
from orchestration.defs.dbt.assets import sibyl_dbt_models
from orchestration.defs.ml.assets import published_ml_marts, sibyl_dbt_ml_models
from orchestration.defs.resources import SibylSettings
from orchestration.settings import REPO_ROOT

SAVINGS_DBT_MODELS = (
    "fct_savings_opportunities",
    "fct_purchase_recommendations",
    "fct_purchase_savings_curve",
)
THRESHOLDS_SEED = REPO_ROOT / "dbt_project" / "seeds" / "savings_thresholds.csv"

savings_status_log = dg.AssetSpec(
    key=["ml", "savings_status"],
    group_name="savings",
    kinds={"parquet"},
    description="Append-only log of savings opportunity status changes (cockpit, `sibyl savings`).",
)


@dg.asset(key=["raw", "metrics"], group_name="savings", kinds={"python", "parquet"})
def utilization_metrics(
    context: dg.AssetExecutionContext, sibyl: SibylSettings
) -> dg.MaterializeResult:
    """Utilization metric exports under <landing>/metrics/ (CloudWatch, Azure Monitor, GCP Cloud
    Monitoring, CSV) -> <lake>/raw/metrics/billing_period=YYYY-MM/; bad files quarantined."""
    s = sibyl.resolved()
    r = ingest_metrics(s.landing_root, s.lake_root)
    for f in r.files:
        if f.status == "quarantined":
            context.log.warning(f"quarantined {f.reason}")
    return dg.MaterializeResult(
        metadata={"files_loaded": r.loaded, "files_quarantined": r.quarantined, "points": r.points}
    )


@dg.multi_asset(
    name="savings_detection",
    specs=[
        dg.AssetSpec(
            ["ml", "savings_opportunities"],
            group_name="savings",
            deps=[
                get_asset_key_for_model([sibyl_dbt_models], "fct_charges"),
                utilization_metrics,
                savings_status_log,
            ],
            kinds={"python", "parquet"},
            description="Rightsizing, idle, modernisation and purchase opportunities with $ per month.",
        ),
        dg.AssetSpec(
            ["ml", "purchase_recommendations"],
            group_name="savings",
            deps=[get_asset_key_for_model([sibyl_dbt_models], "fct_rate_optimization_daily")],
            kinds={"python", "parquet"},
            description="Commitment purchase recommendations (level, $ per month, assumptions).",
        ),
        dg.AssetSpec(
            ["ml", "purchase_savings_curve"],
            group_name="savings",
            deps=[get_asset_key_for_model([sibyl_dbt_models], "fct_rate_optimization_daily")],
            kinds={"python", "parquet"},
            description="Savings curve of each purchase recommendation (monthly savings per level).",
        ),
    ],
)
def savings_detection(context: dg.AssetExecutionContext, sibyl: SibylSettings):  # type: ignore[no-untyped-def]
    """Weekly: opportunities from charges + metrics priced by the gate's catalog, purchase
    simulation over 7/30/60 days; statuses people set survive; new large ones go to webhooks."""
    s = sibyl.resolved()
    thresholds = Thresholds.from_csv(THRESHOLDS_SEED)
    r, new = run_savings(
        s.warehouse_path, s.lake_root, PriceCatalog(), thresholds, landing_root=s.landing_root
    )
    sent = notify_new(s.lake_root, s.webhooks_file, new, thresholds.large_opportunity_monthly)
    yield dg.MaterializeResult(
        asset_key=["ml", "savings_opportunities"],
        metadata={
            "resources": r.resources,
            "resources_with_metrics": r.resources_with_metrics,
            "opportunities": r.opportunities,
            "monthly_savings_available_usd": dg.MetadataValue.float(
                float(r.monthly_savings_available)
            ),
            "new_large_opportunities": r.large_new,
            "webhook_deliveries": sent.get("sent", 0),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["ml", "purchase_recommendations"],
        metadata={"recommendations": r.purchase_recommendations},
    )
    yield dg.MaterializeResult(asset_key=["ml", "purchase_savings_curve"])


savings_job = dg.define_asset_job(
    "savings_weekly",
    selection=dg.AssetSelection.assets(utilization_metrics, savings_detection)
    | dg.AssetSelection.assets(
        *(get_asset_key_for_model([sibyl_dbt_ml_models], m) for m in SAVINGS_DBT_MODELS)
    )
    | dg.AssetSelection.assets(published_ml_marts),
)

# Mondays, after the daily ML run (06:30)
savings_weekly_schedule = dg.ScheduleDefinition(
    name="savings_weekly", job=savings_job, cron_schedule="0 7 * * 1", execution_timezone="UTC"
)
