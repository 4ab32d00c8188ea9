"""The Dagster code location loads, and its graph is one lineage from landing to marts."""

import dagster as dg


def load():
    from orchestration.definitions import defs

    return defs()


def test_daily_schedule_requests_and_registers_current_and_previous_month():
    from orchestration.defs.ingest.schedules import daily_ingest

    # Runs first on purpose: the schedule context enters the instance, which installs itself as
    # Dagster's current state storage; a context used without `with` never exited, and every later
    # definitions load in this process failed with "undefined DagsterInstance weakref".
    with (
        dg.instance_for_test() as instance,  # a schedule context needs a persistent one
        dg.build_schedule_context(
            instance=instance,
            scheduled_execution_time=__import__("datetime").datetime(2026, 3, 2, 5),
        ) as ctx,
    ):
        instance.add_dynamic_partitions("billing_period", ["2026-01-01", "2026-02-01"])
        keys = sorted(r.partition_key for r in daily_ingest(ctx))
        assert keys == ["2026-02-01", "2026-03-01"]
        # the new month is added once, after the months already there
        assert list(instance.get_dynamic_partitions("billing_period")) == [
            "2026-01-01",
            "2026-02-01",
            "2026-03-01",
        ]
        daily_ingest(ctx)
        assert len(instance.get_dynamic_partitions("billing_period")) == 3


def test_definitions_validate_and_form_one_lineage():
    defs = load()
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "lake/raw_aws_billing",
        "lake/raw_gcp_billing",
        "lake/raw_azure_billing",
        "marts/fct_charges",
        "marts/focus_charges",
        "marts/published_marts",
    } <= keys
    # dbt sources point at the ingest assets: staging depends on them
    stg = dg.AssetKey(["staging", "stg_aws__line_items"])
    assert dg.AssetKey(["lake", "raw_aws_billing"]) in graph.get(stg).parent_keys
    upstream = graph.get_ancestor_asset_keys(dg.AssetKey(["marts", "published_marts"]))
    assert dg.AssetKey(["lake", "raw_azure_billing"]) in upstream


def test_partitions_schedules_sensor_and_checks():
    defs = load()
    graph = defs.resolve_asset_graph()
    part = graph.get(dg.AssetKey(["lake", "raw_gcp_billing"])).partitions_def
    assert isinstance(part, dg.DynamicPartitionsDefinition) and part.name == "billing_period"
    assert {s.name for s in defs.schedules} == {
        "daily_ingest",
        "daily_transform",
        "ml_daily",
        "savings_weekly",
        "ai_ingest",
        "ai_publish",
        "monthly_statements_schedule",
    }
    assert sorted(s.name for s in defs.sensors) == ["ci_plan_files", "new_export_files"]
    checks = {k.name for k in graph.asset_check_keys}
    assert "billed_cost_reconciles" in checks
    assert "policy_decision_not_block" in checks
    assert {"keeps_human_statuses", "forecast_mase_below_threshold"} <= checks
    assert any(name.startswith("unique_fct_charges") for name in checks)  # dbt tests as checks


def test_ml_assets_sit_between_the_dbt_marts_and_the_ml_marts():
    graph = load().resolve_asset_graph()
    events = graph.get(dg.AssetKey(["ml", "anomaly_events"]))
    assert dg.AssetKey(["marts", "fct_daily_costs"]) in events.parent_keys
    anomalies_mart = graph.get(dg.AssetKey(["marts", "fct_cost_anomalies"]))
    assert {
        dg.AssetKey(["ml", "anomaly_events"]),
        dg.AssetKey(["ml", "anomaly_status"]),
    } <= anomalies_mart.parent_keys
    budget_mart = graph.get(dg.AssetKey(["marts", "fct_budget_status"]))
    assert dg.AssetKey(["ml", "budget_status"]) in budget_mart.parent_keys
    assert (
        dg.AssetKey(["ml", "cost_forecasts"])
        in graph.get(dg.AssetKey(["ml", "budget_status"])).parent_keys
    )


def test_ai_spend_lineage():
    graph = load().resolve_asset_graph()
    stg = graph.get(dg.AssetKey(["staging", "stg_ai__charges"]))
    assert dg.AssetKey(["lake", "ai_charges"]) in stg.parent_keys
    up = graph.get_ancestor_asset_keys(dg.AssetKey(["marts", "published_ai_marts"]))
    assert {dg.AssetKey(["lake", "ai_charges"]), dg.AssetKey(["marts", "fct_charges"])} <= up
    assert dg.AssetKey(["lake", "ai_charges"]) in graph.get_ancestor_asset_keys(
        dg.AssetKey(["marts", "fct_charges"])
    )
