"""AI API spend (issue 14): the AI fact from <landing>/ai/, the AI budget state the budget check
reads, and the AI marts published for the cockpit. The functions are in ingest/ai/runs.py."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from ingest.ai.runs import run_ai_budgets, run_ai_ingest
from orchestration.defs.dbt.assets import sibyl_dbt_models
from orchestration.defs.resources import SibylSettings
from orchestration.lib.publish import publish_marts

AI_MARTS = (
    "fct_ai_charges",
    "fct_ai_costs_daily",
    "fct_ai_agents_daily",
    "fct_ai_sessions",
    "fct_ai_reconciliation",
    "fct_ai_cloud_lines",
)


@dg.multi_asset(
    name="ai_charges",
    group_name="ai",
    specs=[
        dg.AssetSpec(["lake", "ai_charges"], kinds={"python", "parquet"}),
        dg.AssetSpec(["lake", "ai_reconciliation"], kinds={"python", "parquet"}),
    ],
)
def ai_charges(context: dg.AssetExecutionContext, sibyl: SibylSettings):  # type: ignore[no-untyped-def]
    """OpenAI / Anthropic usage and cost reports, LiteLLM spend logs and OTLP GenAI spans under
    <landing>/ai/, priced and written to <lake>/ai/ (bad files quarantined, named in metadata),
    with priced usage reconciled against the providers' cost reports."""
    s = sibyl.resolved()
    report = run_ai_ingest(s.landing_root, s.lake_root, s.config_dir)
    for rel, problem in report.quarantined.items():
        context.log.warning(f"quarantined {rel}: {problem}")
    yield dg.MaterializeResult(
        asset_key=["lake", "ai_charges"],
        metadata={
            "rows": report.rows,
            "files": len(report.files),
            "quarantined": dg.MetadataValue.json(report.quarantined),
        },
    )
    yield dg.MaterializeResult(asset_key=["lake", "ai_reconciliation"])


@dg.asset(
    key=["marts", "ai_budget_state"],
    group_name="ai",
    deps=[dg.AssetKey(["lake", "ai_charges"])],
    kinds={"python", "json"},
)
def ai_budget_state(
    context: dg.AssetExecutionContext, sibyl: SibylSettings
) -> dg.MaterializeResult:
    """Agent / session / API key / model / provider budgets and breakers, published as the JSON
    file `sibyl budget check` answers from."""
    s = sibyl.resolved()
    rows = run_ai_budgets(s.lake_root, s.marts_dir, s.config_dir)
    opened = [r["scope"] for r in rows if r["breaker_state"] == "open"]
    if opened:
        context.log.warning(f"AI breakers open: {', '.join(opened)}")
    return dg.MaterializeResult(
        metadata={"budgets": len(rows), "open": dg.MetadataValue.json(opened)}
    )


@dg.asset(
    key=["marts", "published_ai_marts"],
    group_name="publish",
    deps=[get_asset_key_for_model([sibyl_dbt_models], m) for m in AI_MARTS],
    kinds={"parquet"},
    description="The AI marts copied to <data>/marts/<mart>.parquet for the cockpit's AI page.",
)
def published_ai_marts(
    context: dg.AssetExecutionContext, sibyl: SibylSettings
) -> dg.MaterializeResult:
    s = sibyl.resolved()
    rows = publish_marts(s.warehouse_path, s.marts_dir, AI_MARTS)
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in rows.items()})


ai_ingest_job = dg.define_asset_job(
    "ai_ingest", selection=dg.AssetSelection.assets(ai_charges, ai_budget_state)
)
ai_publish_job = dg.define_asset_job(
    "ai_publish", selection=dg.AssetSelection.assets(published_ai_marts)
)
# after the billing ingest (05:00), before the dbt build (05:45); publish after it
ai_ingest_schedule = dg.ScheduleDefinition(
    name="ai_ingest", job=ai_ingest_job, cron_schedule="20 5 * * *", execution_timezone="UTC"
)
ai_publish_schedule = dg.ScheduleDefinition(
    name="ai_publish", job=ai_publish_job, cron_schedule="15 6 * * *", execution_timezone="UTC"
)
