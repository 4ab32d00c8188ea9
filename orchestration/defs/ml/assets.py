"""Intelligence on the marts: anomalies, forecasts, budgets and notifications (models_ml/), written
back to <lake>/ml/ as tables dbt declares as the `ml` source, then modelled and published as marts."""

from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model

from models_ml import runs
from models_ml.forecast import DEFAULT_MODELS, MODELS
from models_ml.lifecycle import LifecycleRule
from models_ml.status import latest_status
from orchestration.defs.dbt.assets import published_marts, sibyl_dbt_models
from orchestration.defs.dbt.project import sibyl_dbt_project, sibyl_dbt_translator
from orchestration.defs.resources import SibylSettings
from orchestration.lib.publish import ML_MARTS, publish_marts

MART_DEPS = [get_asset_key_for_model([sibyl_dbt_models], "fct_daily_costs"), published_marts.key]
MASE_WARN = 1.0  # median MASE above 1: the chosen models do worse than last week repeated


class AnomalyConfig(dg.Config):
    min_abs_change: float = 10.0  # a day must exceed its expected cost by at least this much
    threshold: float = 4.5  # residual / robust scale beyond which a day is anomalous
    baseline_days: int = 14  # root cause compares the event against this many days before it
    escalate_after_days: int = 7  # an open event nobody touched escalates at this age
    expire_after_days: int = 30  # ... and expires this many days after it ended (not if ongoing)
    default_owner: str = "finops"  # owner of scopes no team owns (providers, unowned services)


class ForecastConfig(dg.Config):
    horizon_days: int = 90
    backtest_origins: int = 10
    prophet_origins: int = 1
    with_prophet: bool = False  # add Prophet to the race (backtested at prophet_origins only)


anomaly_status_log = dg.AssetSpec(
    key=["ml", "anomaly_status"],
    group_name="ml",
    kinds={"parquet"},
    description="Append-only log of human anomaly status changes, written by the cockpit and `sibyl anomalies`.",
)


@dg.multi_asset(
    name="anomaly_detection",
    specs=[
        dg.AssetSpec(
            ["ml", "anomaly_events"],
            group_name="ml",
            deps=[*MART_DEPS, anomaly_status_log],
            kinds={"python", "parquet"},
            description="Anomaly events with cost impact, root cause and first/last detection.",
        ),
        dg.AssetSpec(
            ["ml", "anomaly_scores"],
            group_name="ml",
            deps=MART_DEPS,
            kinds={"python", "parquet"},
            description="Every scored day of every series (actual, expected, band, score, methods).",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "keeps_human_statuses",
            asset=dg.AssetKey(["ml", "anomaly_events"]),
            description="every event a human acknowledged or resolved is still in the table",
        )
    ],
)
def anomaly_detection(
    context: dg.AssetExecutionContext, config: AnomalyConfig, sibyl: SibylSettings
):  # type: ignore[no-untyped-def]
    """Daily usage cost per team, service, account and provider scored against robust seasonal
    baselines (scheduled day-of-month charges known); events with cost impact, root cause, owner,
    age and lifecycle, merged with earlier runs (statuses survive)."""
    s = sibyl.resolved()
    truth = (
        Path(s.landing_root) / "_meta" / "anomalies.json" if "://" not in s.landing_root else None
    )
    r = runs.run_anomalies(
        s.mart_source(),
        s.lake_root,
        s.warehouse_path,
        min_abs_change=config.min_abs_change,
        baseline_days=config.baseline_days,
        truth_file=str(truth) if truth else None,
        rule=LifecycleRule(
            config.escalate_after_days, config.expire_after_days, config.default_owner
        ),
        threshold=config.threshold,
    )
    ev = r.evaluation
    yield dg.MaterializeResult(
        asset_key=["ml", "anomaly_scores"], metadata={"series": r.series, "points": r.points}
    )
    yield dg.MaterializeResult(
        asset_key=["ml", "anomaly_events"],
        metadata={
            "series": r.series,
            "points": r.points,
            "anomalous_points": r.anomalous_points,
            "events_detected": r.events_detected,
            "events_total": r.events_total,
            "new_events": r.new_events,
            "kept_with_human_status": r.kept_with_human_status,
            **(
                {
                    "precision_vs_injected": dg.MetadataValue.float(float(ev["precision"] or 0)),
                    "recall_vs_injected": dg.MetadataValue.float(float(ev["recall"] or 0)),
                    "f1_vs_injected": dg.MetadataValue.float(float(ev["f1"] or 0)),
                    "evaluation": dg.MetadataValue.json(ev),
                }
                if ev
                else {}
            ),
        },
    )
    touched = latest_status(s.lake_root)
    touched = touched.filter(touched["status"] != "open") if not touched.is_empty() else touched
    present = set(
        runs.store.read_table(s.lake_root, "anomaly_events", runs.EVENT_SCHEMA)[
            "event_id"
        ].to_list()
    )
    missing = (
        [e for e in touched["event_id"].to_list() if e not in present]
        if not touched.is_empty()
        else []
    )
    yield dg.AssetCheckResult(
        check_name="keeps_human_statuses",
        passed=not missing,
        metadata={"human_touched": touched.height, "missing": dg.MetadataValue.json(missing[:20])},
    )


@dg.multi_asset(
    name="forecasting",
    specs=[
        dg.AssetSpec(
            ["ml", "cost_forecasts"],
            group_name="ml",
            deps=MART_DEPS,
            kinds={"python", "parquet"},
            description="90 daily forecasts per scope with 80% and 95% intervals.",
        ),
        dg.AssetSpec(
            ["ml", "forecast_scores"],
            group_name="ml",
            deps=MART_DEPS,
            kinds={"python", "parquet"},
            description="Backtest MASE and sMAPE of every candidate model per series.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "forecast_mase_below_threshold",
            asset=dg.AssetKey(["ml", "cost_forecasts"]),
            description=f"warns when the median backtest MASE of the chosen models exceeds {MASE_WARN}",
        )
    ],
)
def forecasting(context: dg.AssetExecutionContext, config: ForecastConfig, sibyl: SibylSettings):  # type: ignore[no-untyped-def]
    """90 daily forecasts per organization, business group/unit, team, service, environment and
    provider, the model chosen per series by rolling-origin backtest (MASE, sMAPE in metadata)."""
    s = sibyl.resolved()
    r = runs.run_forecasts(
        s.mart_source(),
        s.lake_root,
        horizon_days=config.horizon_days,
        backtest_origins=config.backtest_origins,
        prophet_origins=config.prophet_origins,
        models=MODELS if config.with_prophet else DEFAULT_MODELS,
    )
    yield dg.MaterializeResult(asset_key=["ml", "forecast_scores"], metadata={"series": r.series})
    yield dg.MaterializeResult(
        asset_key=["ml", "cost_forecasts"],
        metadata={
            "as_of": str(r.as_of),
            "series": r.series,
            "rows": r.rows,
            "median_mase": dg.MetadataValue.float(r.median_mase or 0.0),
            "median_smape_pct": dg.MetadataValue.float(r.median_smape or 0.0),
            "models_chosen": dg.MetadataValue.json(r.models),
            "worst_series": dg.MetadataValue.json(r.worst),
        },
    )
    yield dg.AssetCheckResult(
        check_name="forecast_mase_below_threshold",
        passed=r.median_mase is None or r.median_mase <= MASE_WARN,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "median_mase": r.median_mase or 0.0,
            "threshold": MASE_WARN,
            "worst": dg.MetadataValue.json(r.worst),
        },
    )


@dg.asset(
    key=["ml", "budget_status"],
    group_name="ml",
    deps=[*MART_DEPS, dg.AssetKey(["ml", "cost_forecasts"])],
    kinds={"python", "parquet"},
)
def budget_status(context: dg.AssetExecutionContext, sibyl: SibylSettings) -> dg.MaterializeResult:
    """Budget status per budget and day (burn rate, projections, alert level, circuit breaker)."""
    s = sibyl.resolved()
    rows = runs.run_budgets(s.mart_source(), s.lake_root, s.budgets_file)
    by_level: dict[str, int] = {}
    for r in rows:
        by_level[r["alert_level"]] = by_level.get(r["alert_level"], 0) + 1
    return dg.MaterializeResult(
        metadata={
            "budgets": len(rows),
            "as_of": str(rows[0]["as_of_date"]) if rows else "",
            "alert_levels": dg.MetadataValue.json(by_level),
            "breakers_open": dg.MetadataValue.json(
                [r["scope"] for r in rows if r["breaker_state"] == "open"]
            ),
            "budgets_file": dg.MetadataValue.path(s.budgets_file),
        }
    )


@dbt_assets(
    manifest=sibyl_dbt_project.manifest_path,
    project=sibyl_dbt_project,
    select="tag:ml",
    name="sibyl_dbt_ml_models",
    dagster_dbt_translator=sibyl_dbt_translator,
)
def sibyl_dbt_ml_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, sibyl: SibylSettings
):  # type: ignore[no-untyped-def]
    """The ML marts (fct_cost_anomalies, fct_anomaly_series, fct_cost_forecasts, fct_budget_status)."""
    sibyl.resolved().export_dbt_env()
    yield from dbt.cli(["build"], context=context).stream()


@dg.asset(
    key=["marts", "published_ml_marts"],
    group_name="publish",
    kinds={"parquet"},
    deps=[get_asset_key_for_model([sibyl_dbt_ml_models], m) for m in ML_MARTS],
    description="The ML marts copied to <data>/marts/<mart>.parquet (atomic rename) for the cockpit and the CLI.",
)
def published_ml_marts(
    context: dg.AssetExecutionContext, sibyl: SibylSettings
) -> dg.MaterializeResult:
    s = sibyl.resolved()
    rows = publish_marts(s.warehouse_path, s.marts_dir, ML_MARTS)
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in rows.items()})


@dg.asset(
    key=["ml", "notifications"],
    group_name="ml",
    deps=[published_ml_marts, dg.AssetKey(["ml", "anomaly_events"]), budget_status],
    kinds={"python", "parquet"},
)
def notifications(context: dg.AssetExecutionContext, sibyl: SibylSettings) -> dg.MaterializeResult:
    """Signed webhook deliveries for new anomaly events and budget crossings (each sent once)."""
    s = sibyl.resolved()
    counts = runs.run_notifications(s.lake_root, s.webhooks_file)
    if counts["failed"]:
        context.log.warning(
            f"{counts['failed']} webhook deliveries failed; they are retried on the next run"
        )
    return dg.MaterializeResult(metadata={k: int(v) for k, v in counts.items()})


ml_job = dg.define_asset_job(
    "ml_daily",
    selection=dg.AssetSelection.assets(
        anomaly_detection,
        forecasting,
        budget_status,
        sibyl_dbt_ml_models,
        published_ml_marts,
        notifications,
    ),
)

# after the daily ingest (05:00) and dbt build (05:45)
ml_daily_schedule = dg.ScheduleDefinition(
    name="ml_daily", job=ml_job, cron_schedule="30 6 * * *", execution_timezone="UTC"
)
