"""The ML runs the Dagster assets call: read the published marts, run the models, write the ML
tables (store.py). Plain functions, so the CLI, tests and benchmarks run them without Dagster."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import polars as pl

from ingest.pg_marts import MartSource, ParquetMarts, query, query_arrow
from ingest.sql import literal, literal_list
from ingest.warehouse import connect_read_only
from models_ml import store
from models_ml.anomaly import describe_path, detect, events, explain
from models_ml.budget import budget_status, load_budgets
from models_ml.forecast import forecast_and_score
from models_ml.lifecycle import LifecycleRule, apply_lifecycle, owners
from models_ml.status import latest_status, overrides

log = logging.getLogger(__name__)

SCOPE_COLUMNS = {  # scope type -> column of fct_daily_costs
    "organization": "'*'",
    "business_group": "business_group_id",
    "business_unit": "business_unit_id",
    "team": "team_id",
    "service": "service_name",
    "environment": "environment",
    "provider": "provider",
    "account": "sub_account_id",
}
ANOMALY_SCOPES = ("team", "service", "account", "provider")
# anomalies are looked for in usage: purchases, taxes, credits and adjustments follow the billing
# calendar (the 1st of the month), not behaviour
ANOMALY_CHARGE_CATEGORIES = ("Usage",)
FORECAST_SCOPES = (
    "organization",
    "business_group",
    "business_unit",
    "team",
    "service",
    "environment",
    "provider",
)
# root-cause dimensions -> column of fct_charges
ROOT_CAUSE_DIMENSIONS = {
    "account": "sub_account_id",
    "service": "service_name",
    "region": "region_id",
    "usage_type": "sku_meter",
    "resource": "resource_id",
}


Marts = str | MartSource  # a published marts folder, or any MartSource (Parquet or Postgres)


def _source(marts: Marts) -> MartSource:
    return ParquetMarts(marts) if isinstance(marts, str) else marts


def _require(marts: Marts, name: str) -> MartSource:
    """The source of a mart that must exist (the published file, or the warehouse's table)."""
    source = _source(marts)
    if not source.has(name):
        raise FileNotFoundError(
            f"{source.describe(name)} does not exist: build and publish the marts first (make demo)"
        )
    return source


def cost_series(
    marts_dir: Marts, scopes: Sequence[str], charge_categories: Sequence[str] | None = None
) -> pl.DataFrame:
    """Daily effective cost per scope value and currency as a long frame (``series_id, ds, y`` plus
    ``scope_type, scope_value, currency``), with days without spend as 0 from a series' first day
    to the last day of data; only the FOCUS ``charge_categories`` given (all when None)."""
    source = _require(marts_dir, "fct_daily_costs")
    # the scope SQL is built from constants (see _scope_daily_sql); the mart is bound by the source
    sql = f"""
        with s as ({_scope_daily_sql(scopes, charge_categories)}),
             last as (select max(charge_date) as last_day from read_parquet($fct_daily_costs)),
             span as (select scope_type, scope_value, currency, min(ds) as first_day from s group by all),
             grid as (select span.*, unnest(generate_series(first_day, last.last_day, interval 1 day))::date as ds
                      from span, last)
        select scope_type || ':' || scope_value || '|' || currency as series_id, g.scope_type, g.scope_value,
               g.currency, g.ds, coalesce(s.y, 0)::double as y
        from grid g left join s using (scope_type, scope_value, currency, ds)
        order by series_id, ds"""  # noqa: S608
    table = query_arrow(source, sql, None, ("fct_daily_costs",))
    return pl.from_arrow(table)  # type: ignore[return-value]


def _scope_daily_sql(scopes: Sequence[str], charge_categories: Sequence[str] | None = None) -> str:
    """``scope_type, scope_value, currency, ds, y`` (daily effective cost, decimal) per scope
    type over the fct_daily_costs mart (``read_parquet($fct_daily_costs)``, bound by a
    MartSource): one definition of a scope's cost."""
    # scope types name columns through the SCOPE_COLUMNS constant; values are quoted literals
    where = ""
    if charge_categories:
        where = f"where charge_category in ({literal_list(charge_categories)})"
    unions = " union all ".join(
        f"select {literal(st)} as scope_type, coalesce(cast({SCOPE_COLUMNS[st]} as varchar), '(none)') as scope_value, "  # noqa: S608
        f"billing_currency as currency, charge_date as ds, sum(effective_cost) as y from d group by all"
        for st in scopes
    )
    return f"with d as (select * from read_parquet($fct_daily_costs) {where}) {unions}"  # noqa: S608


def _with_scope(frame: pl.DataFrame, series: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (keyed by series_id) with the scope columns of the series it came from."""
    keys = series.select("series_id", "scope_type", "scope_value", "currency").unique("series_id")
    return frame.join(keys, on="series_id", how="left")


# ---- anomalies -------------------------------------------------------------------------------


@dataclass
class AnomalyRun:
    series: int
    points: int
    anomalous_points: int
    events_detected: int
    events_total: int
    new_events: int
    kept_with_human_status: int
    evaluation: dict[str, Any] = field(default_factory=dict)


EVENT_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.String(),
    "series_id": pl.String(),
    "scope_type": pl.String(),
    "scope_value": pl.String(),
    "currency": pl.String(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
    "anomalous_days": pl.Int64(),
    "actual_cost": pl.Float64(),
    "expected_cost": pl.Float64(),
    "cost_impact": pl.Float64(),
    "max_score": pl.Float64(),
    "confidence": pl.Float64(),
    "methods": pl.String(),
    "direction": pl.String(),
    "kind": pl.String(),
    "ongoing": pl.Boolean(),
    "owner": pl.String(),
    "age_days": pl.Int64(),
    "lifecycle": pl.String(),
    "root_cause_path": pl.String(),
    "root_cause_json": pl.String(),
    "first_detected_at": pl.Datetime("us", "UTC"),
    "last_detected_at": pl.Datetime("us", "UTC"),
    "detected_in_last_run": pl.Boolean(),
}


def run_anomalies(
    marts_dir: Marts,
    lake_root: str,
    warehouse_path: str,
    *,
    min_abs_change: float = 10.0,
    baseline_days: int = 14,
    truth_file: str | None = None,
    rule: LifecycleRule | None = None,
    n_jobs: int | None = None,
    **detect_params: Any,
) -> AnomalyRun:
    """Detect cost increases on daily series per team, service, account and provider; merge with the
    stored events (keeping every event a human has touched); give every event its owner, age and
    lifecycle state (``rule``); write ``ml/anomaly_events`` and the scored series
    ``ml/anomaly_scores``."""
    rule = rule or LifecycleRule()
    series = cost_series(marts_dir, ANOMALY_SCOPES, charge_categories=ANOMALY_CHARGE_CATEGORIES)
    scored = detect(
        series.select("series_id", "ds", "y"),
        direction="up",
        min_abs_change=min_abs_change,
        n_jobs=n_jobs,
        **detect_params,
    )
    ev = events(scored)
    ev = _with_scope(ev, series).with_columns(
        pl.col("start_ds").dt.date().alias("start_date"),
        pl.col("end_ds").dt.date().alias("end_date"),
    )
    causes = _root_causes(warehouse_path, ev, baseline_days)
    now = dt.datetime.now(dt.UTC)
    detected = ev.with_columns(
        pl.col("points").alias("anomalous_days"),
        pl.col("actual").alias("actual_cost"),
        pl.col("expected").alias("expected_cost"),
        pl.col("impact").alias("cost_impact"),
        pl.Series(
            "root_cause_path",
            [describe_path(causes.get(e, {}).get("path", [])) for e in ev["event_id"]],
            dtype=pl.String,
        ),
        pl.Series(
            "root_cause_json",
            [json.dumps(causes.get(e, {}), default=str) for e in ev["event_id"]],
            dtype=pl.String,
        ),
        pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("first_detected_at"),
        pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("last_detected_at"),
        pl.lit(True).alias("detected_in_last_run"),
        owners(ev, *_scope_owners(marts_dir), rule.default_owner),
        pl.lit(0, dtype=pl.Int64).alias("age_days"),
        pl.lit("open").alias("lifecycle"),
    ).select(list(EVENT_SCHEMA))
    previous = _upgrade(store.read_table(lake_root, "anomaly_events", EVENT_SCHEMA))
    human = latest_status(lake_root)
    merged, new, kept = merge_events(previous, detected, set(human["event_id"].to_list()))
    as_of = cast(dt.date, series["ds"].max())
    human_status = (
        dict(human.select("event_id", "status").iter_rows()) if not human.is_empty() else {}
    )
    merged = (
        apply_lifecycle(merged.drop("age_days", "lifecycle"), human_status, as_of, rule)
        .with_columns(
            # an event that was ongoing but is no longer re-detected has ended
            pl.col("ongoing") & pl.col("detected_in_last_run")
        )
        .select(list(EVENT_SCHEMA))
    )
    store.write_table(lake_root, "anomaly_events/events.parquet", merged)
    store.write_table(
        lake_root,
        "anomaly_scores/scores.parquet",
        _with_scope(scored, series).with_columns(pl.col("ds").dt.date()),
    )
    run = AnomalyRun(
        series=series["series_id"].n_unique(),
        points=scored.height,
        anomalous_points=int(scored["is_anomaly"].sum()),
        events_detected=detected.height,
        events_total=merged.height,
        new_events=new,
        kept_with_human_status=kept,
    )
    if truth_file and Path(truth_file).exists():
        run.evaluation = evaluate_against_truth(
            detected, json.loads(Path(truth_file).read_text())["anomalies"]
        )
    return run


def _upgrade(previous: pl.DataFrame) -> pl.DataFrame:
    """Events stored before kind/ongoing/owner/age/lifecycle existed get neutral values."""
    defaults: dict[str, Any] = {
        "kind": None,
        "ongoing": False,
        "owner": None,
        "age_days": 0,
        "lifecycle": "open",
    }
    missing = [c for c in defaults if c not in previous.columns]
    return previous.with_columns(
        pl.lit(defaults[c], dtype=EVENT_SCHEMA[c]).alias(c) for c in missing
    )


def _scope_owners(marts_dir: Marts) -> tuple[dict[str, str], dict[str, str]]:
    """service -> owner team (service catalog) and account -> default team, from the dim marts."""
    source = _source(marts_dir)
    out: list[dict[str, str]] = []
    for mart, key, team in (
        ("dim_services", "service_name", "owner_team_id"),
        ("dim_accounts", "sub_account_id", "default_team_id"),
    ):
        if not source.has(mart):
            out.append({})
            continue
        # mart, key and team are constants of this function; the source binds the mart
        _, rows = query(
            source,
            f"select distinct {key}, {team} from read_parquet(${mart}) where {team} is not null",  # noqa: S608
            None,
            (mart,),
        )
        out.append({str(k): str(v) for k, v in rows})
    return out[0], out[1]


def merge_events(
    previous: pl.DataFrame, detected: pl.DataFrame, touched: set[str]
) -> tuple[pl.DataFrame, int, int]:
    """Re-detection updates the events it finds again (keeping when they were first seen), adds new
    ones, and keeps every earlier event: the ones a human acknowledged or resolved (``touched``) are
    never dropped, the rest stay as history with ``detected_in_last_run = false``."""
    if previous.is_empty():
        return detected, detected.height, 0
    prev = previous.select(list(EVENT_SCHEMA))
    first = prev.select("event_id", pl.col("first_detected_at").alias("_first"))
    updated = (
        detected.join(first, on="event_id", how="left")
        .with_columns(pl.coalesce("_first", "first_detected_at").alias("first_detected_at"))
        .drop("_first")
    )
    gone = prev.filter(~pl.col("event_id").is_in(detected["event_id"].implode())).with_columns(
        pl.lit(False).alias("detected_in_last_run")
    )
    new = (
        updated.height - updated.filter(pl.col("event_id").is_in(prev["event_id"].implode())).height
    )
    kept = gone.filter(pl.col("event_id").is_in(list(touched))).height
    return pl.concat([updated, gone]).sort("start_date", "series_id"), new, kept


def _root_causes(
    warehouse_path: str, ev: pl.DataFrame, baseline_days: int
) -> dict[str, dict[str, Any]]:
    """Root cause of each event from the charges of its scope (one scan per scope type)."""
    if ev.is_empty() or not Path(warehouse_path).exists():
        return {}
    dims = ", ".join(
        f"coalesce(cast(c.{col} as varchar), '(none)') as {k}"
        for k, col in ROOT_CAUSE_DIMENSIONS.items()
    )
    out: dict[str, dict[str, Any]] = {}
    con = connect_read_only(warehouse_path)
    try:
        for scope_type in ev["scope_type"].unique().to_list():
            part = ev.filter(pl.col("scope_type") == scope_type).select(
                "event_id", "scope_value", "currency", "start_date", "end_date"
            )
            con.register("ev", part.to_arrow())
            col = SCOPE_COLUMNS[scope_type]
            # dims and col come from the ROOT_CAUSE_DIMENSIONS / SCOPE_COLUMNS constants
            detail = con.sql(
                f"""
                select ev.event_id, c.charge_date as ds, {dims}, sum(c.effective_cost)::double as cost
                from marts.fct_charges c join ev
                  on coalesce(cast(c.{col} as varchar), '(none)') = ev.scope_value and c.billing_currency = ev.currency
                 and c.charge_date between ev.start_date - $days and ev.end_date
                 and list_contains($categories, c.charge_category)
                group by all""",  # noqa: S608
                params={"days": int(baseline_days), "categories": list(ANOMALY_CHARGE_CATEGORIES)},
            ).to_arrow_table()
            con.unregister("ev")
            frame = pl.from_arrow(detail)
            if not isinstance(frame, pl.DataFrame):
                raise TypeError("root-cause details did not convert to a polars DataFrame")
            by_event = frame.partition_by("event_id", as_dict=True)
            for r in part.iter_rows(named=True):
                d = by_event.get((r["event_id"],), frame.clear())
                out[r["event_id"]] = explain(
                    d, start=r["start_date"], end=r["end_date"], baseline_days=baseline_days
                )
    finally:
        con.close()
    return out


def evaluate_against_truth(
    detected: pl.DataFrame, truth: list[dict[str, Any]], slack_days: int = 1
) -> dict[str, Any]:
    """Precision and recall of events against injected anomalies (the generator's ground truth).

    An injected anomaly is *found* when an event on one of its series (its team, service, account or
    provider) overlaps its dates (± ``slack_days``). Precision counts events on those four kinds of
    series that overlap some injected anomaly's series and dates."""

    def keys(a: dict[str, Any]) -> set[tuple[str, str]]:
        return {
            ("team", a["team_id"]),
            ("service", a["service"]),
            ("account", a["account_id"]),
            ("provider", a["provider"]),
        }

    slack = dt.timedelta(days=slack_days)
    tp_events: set[str] = set()
    found = 0
    per_scope: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = list(detected.iter_rows(named=True))
    for a in truth:
        s, e = dt.date.fromisoformat(a["start_date"]), dt.date.fromisoformat(a["end_date"])
        hit_any = False
        for st, sv in keys(a):
            hits = [
                r
                for r in rows
                if r["scope_type"] == st
                and r["scope_value"] == sv
                and r["start_date"] <= e + slack
                and r["end_date"] >= s - slack
            ]
            per_scope[st][1] += 1
            if hits:
                per_scope[st][0] += 1
                hit_any = True
                tp_events.update(r["event_id"] for r in hits)
        found += hit_any
    precision = len(tp_events) / len(rows) if rows else None
    recall = found / len(truth) if truth else None
    f1 = (2 * precision * recall / (precision + recall)) if precision and recall else 0.0
    return {
        "injected": len(truth),
        "found": found,
        "events": len(rows),
        "true_positive_events": len(tp_events),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "recall_by_scope": {k: v[0] / v[1] for k, v in per_scope.items() if v[1]},
    }


# ---- forecasts -------------------------------------------------------------------------------


@dataclass
class ForecastRun:
    as_of: dt.date
    series: int
    rows: int
    median_mase: float | None
    median_smape: float | None
    models: dict[str, int]
    worst: list[dict[str, Any]]


def run_forecasts(
    marts_dir: Marts,
    lake_root: str,
    *,
    horizon_days: int = 90,
    n_jobs: int | None = None,
    **params: Any,
) -> ForecastRun:
    """30/60/90-day forecasts per organization, business group and unit, team, service, environment
    and provider; written to ``ml/cost_forecasts/as_of=<day>/`` with the backtest scores."""
    series = cost_series(marts_dir, FORECAST_SCOPES)
    as_of = cast(dt.date, series["ds"].max())
    res = forecast_and_score(
        series.select("series_id", "ds", "y"), horizon_days, fill="zero", n_jobs=n_jobs, **params
    )
    fc = (
        _with_scope(res.forecasts, series)
        .with_columns(
            pl.col("ds").dt.date(),
            pl.lit(as_of).alias("as_of_date"),
            ((pl.col("ds").dt.date() - pl.lit(as_of)).dt.total_days())
            .cast(pl.Int32)
            .alias("horizon_day"),
        )
        .with_columns(
            pl.when(pl.col("horizon_day") <= 30)
            .then(30)
            .when(pl.col("horizon_day") <= 60)
            .then(60)
            .otherwise(90)
            .cast(pl.Int32)
            .alias("horizon_bucket")
        )
    )
    scores = _with_scope(res.scores, series).with_columns(pl.lit(as_of).alias("as_of_date"))
    key = f"as_of={as_of}"
    store.write_table(lake_root, f"cost_forecasts/{key}/forecasts.parquet", fc)
    store.write_table(lake_root, f"forecast_scores/{key}/scores.parquet", scores)
    sel = res.selected()
    worst = sel.drop_nulls("mase").sort("mase", descending=True).head(5).to_dicts()
    return ForecastRun(
        as_of,
        sel.height,
        fc.height,
        float(sel["mase"].median()) if sel["mase"].drop_nulls().len() else None,  # type: ignore[arg-type]
        float(sel["smape"].median()) if sel["smape"].drop_nulls().len() else None,  # type: ignore[arg-type]
        dict(sel.group_by("model").len().iter_rows()),
        worst,
    )


def latest_forecasts(lake_root: str) -> pl.DataFrame:
    return store.read_latest_partition(lake_root, "cost_forecasts")


# ---- budgets ---------------------------------------------------------------------------------


def daily_actuals(
    marts_dir: Marts, scopes: Sequence[str] = FORECAST_SCOPES
) -> dict[tuple[str, str, str], dict[dt.date, Decimal]]:
    """Daily effective cost (Decimal) per (scope type, scope value, currency)."""
    source = _require(marts_dir, "fct_daily_costs")
    _, rows = query(source, _scope_daily_sql(scopes), None, ("fct_daily_costs",))
    out: dict[tuple[str, str, str], dict[dt.date, Decimal]] = defaultdict(dict)
    for st, sv, cur, day, cost in rows:
        out[(st, sv, cur)][day] = Decimal(cost)
    return out


BUDGET_DAYS_BACKFILL = 31


def run_budgets(
    marts_dir: Marts, lake_root: str, budgets_file: str, *, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Budget status as of the last day of data, plus the days since the last stored status (the
    last 31 days on a first run, with linear projections: forecasts exist only for the newest day).
    One file per as-of day in ``ml/budget_status``; returns the newest day's rows."""
    budgets = load_budgets(budgets_file)
    actuals = daily_actuals(marts_dir)
    last_day = max((d for v in actuals.values() for d in v), default=None)
    if last_day is None:
        return []
    fc = latest_forecasts(lake_root)
    forecasts: dict[tuple[str, str, str], dict[dt.date, float]] = defaultdict(dict)
    models: dict[str, str] = {}  # scope -> the forecast model the projection used
    if not fc.is_empty() and fc["as_of_date"].max() == last_day:
        for st, sv, cur, day, yhat, model in fc.select(
            "scope_type", "scope_value", "currency", "ds", "yhat", "model"
        ).iter_rows():
            forecasts[(st, sv, cur)][day] = yhat
            models[f"{st}:{sv}"] = model
    stored = store.partitions(lake_root, "budget_status")  # as_of=YYYY-MM-DD, oldest first
    since = dt.date.fromisoformat(stored[-1].split("=", 1)[1]) if stored else None
    first = (
        (since + dt.timedelta(days=1))
        if since and since < last_day
        else last_day - dt.timedelta(days=BUDGET_DAYS_BACKFILL - 1)
    )
    if since and since >= last_day:
        first = last_day  # a re-run for the same day replaces that day
    ovr = overrides(lake_root)
    newest: list[dict[str, Any]] = []
    day = first
    while day <= last_day:
        rows = budget_status(
            budgets, actuals, forecasts if day == last_day else {}, day, overrides=ovr, now=now
        )
        for r in rows:  # the projection says which forecast model it used
            if r["projection_method"] == "forecast" and r["scope"] in models:
                r["projection_method"] = f"forecast:{models[r['scope']]}"
        frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
            pl.lit(dt.datetime.now(dt.UTC)).alias("computed_at")
        )
        store.write_table(lake_root, f"budget_status/as_of={day}/status.parquet", frame)
        newest = rows
        day += dt.timedelta(days=1)
    return newest


# ---- notifications ---------------------------------------------------------------------------

DELIVERY_SCHEMA: dict[str, pl.DataType] = {
    "delivery_id": pl.String(),
    "webhook": pl.String(),
    "destination": pl.String(),  # scheme://host:port only: a URL's path may hold a token
    "event_key": pl.String(),
    "event_type": pl.String(),
    "status": pl.String(),
    "attempts": pl.Int64(),
    "http_status": pl.Int64(),
    "last_error": pl.String(),
    "sent_at": pl.Datetime("us", "UTC"),
    "finished_at": pl.Datetime("us", "UTC"),
}


def delivery_log(lake_root: str) -> pl.DataFrame:
    """Latest state per (webhook, event key)."""
    logd = store.read_table(lake_root, "webhook_deliveries", DELIVERY_SCHEMA)
    if logd.is_empty():
        return logd
    order = pl.col("status").replace_strict(
        {"pending": 0, "failed": 1, "delivered": 2}, return_dtype=pl.Int8
    )
    return (
        logd.with_columns(order.alias("_o"))
        .sort("sent_at", "_o")
        .group_by("webhook", "event_key")
        .last()
        .drop("_o")
    )


def run_notifications(
    lake_root: str, webhooks_file: str, *, env: dict[str, str] | None = None
) -> dict[str, int]:
    """Send new anomaly events (open, recent) and budget crossings to every configured webhook."""
    from models_ml.notify import (
        anomaly_notification,
        budget_notifications,
        deliver,
        escalation_notification,
        load_webhooks,
        log_row,
        plan_deliveries,
    )

    hooks = load_webhooks(webhooks_file, env)
    counts = {
        "webhooks": len(hooks),
        "sent": 0,
        "delivered": 0,
        "failed": 0,
        "skipped_already_delivered": 0,
    }
    if not hooks:
        return counts
    ev = store.read_table(lake_root, "anomaly_events", EVENT_SCHEMA)
    status = latest_status(lake_root)
    closed = (
        set(status.filter(pl.col("status") != "open")["event_id"].to_list())
        if not status.is_empty()
        else set()
    )
    last_day = cast(dt.date | None, ev["end_date"].max() if not ev.is_empty() else None)
    if "lifecycle" not in ev.columns:
        ev = _upgrade(ev)
    live = ev.filter(pl.col("lifecycle").fill_null("open") != "expired")
    notes = [
        anomaly_notification(e, last_day)
        for e in live.filter(pl.col("detected_in_last_run")).iter_rows(named=True)
        if e["event_id"] not in closed
    ]
    notes += [
        escalation_notification(e)
        for e in live.filter(pl.col("lifecycle") == "escalated").iter_rows(named=True)
        if e["event_id"] not in closed
    ]
    stat = store.read_latest_partition(lake_root, "budget_status")
    if not stat.is_empty():
        for r in stat.iter_rows(named=True):
            notes.extend(budget_notifications(r))
    logd = delivery_log(lake_root)
    delivered = (
        set(logd.filter(pl.col("status") == "delivered").select("webhook", "event_key").iter_rows())
        if not logd.is_empty()
        else set()
    )
    counts["skipped_already_delivered"] = len(delivered)
    todo = plan_deliveries(hooks, notes, delivered)
    if not todo:
        return counts
    now = dt.datetime.now(dt.UTC)
    pending = [log_row(h, n, "pending", now) for h, n in todo]
    store.append_log(lake_root, "webhook_deliveries", pl.DataFrame(pending, schema=DELIVERY_SCHEMA))
    results = [deliver(h, n) for h, n in todo]
    store.append_log(lake_root, "webhook_deliveries", pl.DataFrame(results, schema=DELIVERY_SCHEMA))
    ok = sum(r["status"] == "delivered" for r in results)
    return counts | {"sent": len(results), "delivered": ok, "failed": len(results) - ok}
