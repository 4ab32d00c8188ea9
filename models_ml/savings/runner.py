"""The weekly savings run: marts + metrics lake -> opportunities and purchase recommendations.

Reads the warehouse with a short read-only connection (``marts.fct_charges`` and the
``intermediate.int_charges_rate_classified`` view) and the metrics lake
(``raw/metrics/**.parquet``); writes ``ml/savings_opportunities``, ``ml/purchase_recommendations``
and ``ml/purchase_savings_curve``, which dbt models as ``fct_savings_opportunities``,
``fct_purchase_recommendations`` and ``fct_purchase_savings_curve``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow.dataset as pads

from ingest import fs as lakefs
from ingest.warehouse import connect_read_only
from models_ml import store
from models_ml.savings import inbox, purchase
from models_ml.savings.classify import classify
from models_ml.savings.reservations import reservation_recommendations
from models_ml.savings.usage import (
    Opportunity,
    Prices,
    ResourceUsage,
    Thresholds,
    find_opportunities,
    opportunity_id,
)

log = logging.getLogger(__name__)
DAYS_PER_MONTH = Decimal("30.4167")
PURCHASE_CATEGORIES = ("Compute", "Databases")

RESOURCES_SQL = """
with last_day as (select max(charge_date) as d from marts.fct_charges),
recent as (
    select c.* from marts.fct_charges c, last_day
    where c.charge_date > last_day.d - interval 30 day and c.charge_category = 'Usage'
      and c.resource_id is not null and c.resource_id <> ''
)
select provider, resource_id, min(team_id) as team_id, min(region_id) as region_id,
       min(service_category) as service_category, min(resource_type) as resource_type,
       list(distinct sku_meter) as sku_meters, sum(effective_cost) as cost_30d,
       min(billing_currency) as currency, (select d from last_day) as last_day
from recent group by provider, resource_id
"""
ON_DEMAND_SQL = """
with last_day as (select max(charge_date) as d from intermediate.int_charges_rate_classified)
select provider, service_category, billing_currency,
       date_trunc('hour', charge_period_start) as period_start,
       max(date_diff('hour', charge_period_start, charge_period_end)) as span_hours,
       sum(list_equivalent_cost) as on_demand_cost
from intermediate.int_charges_rate_classified, last_day
where rate_class = 'on_demand' and service_category in ('Compute', 'Databases')
  and not (provider = 'aws' and service_category = 'Databases')  -- RDS: reservations (reservations.py)
  and charge_date > last_day.d - interval 60 day
group by all order by period_start
"""
DISCOUNT_SQL = """
select provider, service_category, sum(effective_cost) as effective, sum(list_equivalent_cost) as list
from intermediate.int_charges_rate_classified
where rate_class = 'committed_used' group by all
"""


@dataclass(frozen=True)
class SavingsRunResult:
    resources: int
    resources_with_metrics: int
    opportunities: int
    monthly_savings_available: Decimal
    purchase_recommendations: int
    large_new: int


def read_metrics(
    lake_root: str,
) -> dict[tuple[str, str], dict[str, list[tuple[dt.datetime, float]]]]:
    """(provider, lower(resource id)) -> metric -> hourly points (max over statistics per hour)."""
    fs, base = lakefs.get_fs(lake_root)
    root = f"{base.rstrip('/')}/raw/metrics"
    if not fs.exists(root):
        return {}
    dataset = pads.dataset(root, format="parquet", filesystem=fs, partitioning="hive")
    table = pl.from_arrow(
        dataset.to_table(
            columns=["provider", "resource_id", "resource_name", "metric", "timestamp", "value"]
        )
    )
    if not isinstance(table, pl.DataFrame) or table.is_empty():
        return {}
    hourly = (
        table.with_columns(
            pl.col("timestamp").dt.truncate("1h"), pl.col("resource_id").str.to_lowercase()
        )
        .group_by("provider", "resource_id", "metric", "timestamp")
        .agg(pl.col("value").max(), pl.col("resource_name").first())
        .sort("timestamp")
    )
    out: dict[tuple[str, str], dict[str, list[tuple[dt.datetime, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for r in hourly.iter_rows(named=True):
        out[(r["provider"], r["resource_id"])][r["metric"]].append(
            (r["timestamp"], float(r["value"]))
        )
        if r["resource_name"]:  # GCP metrics name the instance; billing may carry the name only
            out[(r["provider"], str(r["resource_name"]).lower())][r["metric"]].append(
                (r["timestamp"], float(r["value"]))
            )
    return out


def load_resources(
    warehouse_path: str, lake_root: str
) -> tuple[list[ResourceUsage], dt.datetime | None, int]:
    con = connect_read_only(warehouse_path)
    try:
        rows = con.execute(RESOURCES_SQL).fetchall()
    finally:
        con.close()
    metrics = read_metrics(lake_root)
    resources, with_metrics, as_of = [], 0, None
    for provider, rid, team, region, category, rtype, meters, cost_30d, _cur, last_day in rows:
        as_of = dt.datetime.combine(last_day, dt.time(23, 59), dt.UTC) if last_day else None
        kind, type_ = classify(provider, rid, rtype, meters or [])
        key = rid.lower()
        m = (
            metrics.get((provider, key))
            or metrics.get((provider, key.rstrip("/").rsplit("/", 1)[-1]))
            or {}
        )
        with_metrics += bool(m)
        monthly = (Decimal(cost_30d or 0) / 30 * DAYS_PER_MONTH).quantize(Decimal("0.01"))
        resources.append(
            ResourceUsage(
                provider,
                rid,
                team or "unallocated",
                region,
                category,
                kind,
                type_,
                monthly,
                metrics=dict(m),
                usage_hints=tuple(x for x in meters or [] if x),
            )  # fmt: skip
        )
    return resources, as_of, with_metrics


def purchase_recommendations(
    warehouse_path: str, as_of: dt.date | None
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """One recommendation per provider, currency and service category with on-demand spend and an
    observed commitment discount; and its savings curve."""
    con = connect_read_only(warehouse_path)
    try:
        od = con.execute(ON_DEMAND_SQL).fetchall()
        disc = {(p, c): (e, lst) for p, c, e, lst in con.execute(DISCOUNT_SQL).fetchall()}
    finally:
        con.close()
    series: dict[tuple[str, str, str], list[tuple[dt.datetime, Decimal]]] = defaultdict(list)
    spans: dict[tuple[str, str, str], int] = defaultdict(int)
    for provider, category, cur, start, span, cost in od:
        series[(provider, category, cur)].append((start, Decimal(cost)))
        spans[(provider, category, cur)] = max(spans[(provider, category, cur)], int(span or 0))
    recs: list[dict[str, object]] = []
    curves: list[dict[str, object]] = []
    for (provider, category, cur), pts in sorted(series.items()):
        eff_list = disc.get((provider, category))
        discount = (
            purchase.observed_discount(Decimal(eff_list[1]), Decimal(eff_list[0]))
            if eff_list
            else None
        )
        if discount is None or discount <= 0:
            log.info(
                "no observed commitment rate for %s %s: no purchase recommendation",
                provider,
                category,
            )
            continue
        hourly = spans[(provider, category, cur)] <= 1
        per_day = 24 if hourly else 1
        values = _dense(pts, hourly)
        rec = purchase.recommend(
            values, discount, periods_per_day=per_day,
            assumptions=(f"1-year, no upfront; discount {discount:.1%} = the effective rate your {provider} "
                         f"{category} commitments got (1 - effective / list over covered usage); "
                         f"{'hourly' if hourly else 'daily'} on-demand eligible spend, lookbacks 7/30/60 days"),
        )  # fmt: skip
        rid = f"{provider}:{category}:{cur}"
        recs.append({
            "recommendation_id": rid, "provider": provider, "service_category": category, "billing_currency": cur,
            "granularity": "hour" if hourly else "day", "discount": float(discount),
            "discount_source": "observed effective rate of existing commitments",
            "term": "1 year", "payment_option": "No Upfront",
            "level_per_period": rec.level, "monthly_commitment": rec.monthly_commitment.quantize(Decimal("0.01")),
            "monthly_savings": rec.monthly_savings.quantize(Decimal("0.01")),
            "best_level_7d": rec.best_by_lookback.get(7), "best_level_30d": rec.best_by_lookback.get(30),
            "best_level_60d": rec.best_by_lookback.get(60), "assumptions": rec.assumptions,
            "as_of_date": as_of,
            "commitment_kind": "savings_plan",
            "region_id": None,
            "instance_type": None,
            "instance_count": None,
        })  # fmt: skip
        curves += purchase.curve_rows(rid, rec, len(values[-60 * per_day :]))
    return recs, curves


def _dense(pts: list[tuple[dt.datetime, Decimal]], hourly: bool) -> list[Decimal]:
    """Periods without on-demand spend count as 0 (a commitment would have been wasted then)."""
    step = dt.timedelta(hours=1 if hourly else 24)
    by = {t: v for t, v in pts}
    if not hourly:
        by = defaultdict(Decimal)
        for t, v in pts:
            by[dt.datetime.combine(t.date(), dt.time())] += v
    start, end = min(by), max(by)
    out, t = [], start
    while t <= end:
        out.append(by.get(t, Decimal(0)))
        t += step
    return out


def run_savings(
    warehouse_path: str,
    lake_root: str,
    prices: Prices,
    thresholds: Thresholds | None = None,
    now: dt.datetime | None = None,
    landing_root: str | None = None,
) -> tuple[SavingsRunResult, pl.DataFrame]:
    """Detect, merge with earlier runs (statuses and first detection kept), write the ML tables."""
    t = thresholds or Thresholds()
    now = now or dt.datetime.now(dt.UTC)
    resources, as_of, with_metrics = load_resources(warehouse_path, lake_root)
    found = find_opportunities(resources, as_of or now, prices, t)
    if landing_root:  # the providers' own recommendations, where users export them
        from models_ml.savings.provider_recs import (
            ProviderRecommendationError,
            coh_opportunities,
            landing_files,
            read_cost_optimization_hub,
        )

        team_of = {r.resource_id: r.team_id for r in resources}
        for f in landing_files(landing_root):
            try:  # a bad export file is reported and skipped; the rest of the run goes on
                found += coh_opportunities(read_cost_optimization_hub([f]), team_of)
            except ProviderRecommendationError as exc:
                log.warning("skipped provider recommendations: %s", exc)
    recs, curves = purchase_recommendations(warehouse_path, as_of.date() if as_of else None)
    con = connect_read_only(warehouse_path)
    try:
        ri_recs, ri_curves = reservation_recommendations(
            con, as_of.date() if as_of else None, t.min_monthly_savings
        )
        recs, curves = recs + ri_recs, curves + ri_curves
    finally:
        con.close()
    for r in recs:
        saving = Decimal(str(r["monthly_savings"]))
        if saving >= t.min_monthly_savings:
            found.append(Opportunity(
                opportunity_id("purchase", str(r["provider"]), str(r["recommendation_id"])), str(r["provider"]),
                str(r["recommendation_id"]), "finops", "purchase",
                (f"Reserve {r['instance_count']} x {r['instance_type']} in {r['region_id']} ({r['term']}, {r['payment_option']})"
                 if r.get("commitment_kind") == "reservation"
                 else f"Commit ${r['monthly_commitment']:,}/month ({r['service_category']}, {r['term']}, {r['payment_option']})"),
                saving, 0.6, {"assumptions": r["assumptions"], "discount": r["discount"]},
            ))  # fmt: skip
    previous = store.read_table(lake_root, inbox.OPPORTUNITIES)
    old_ids = (
        set(previous["opportunity_id"].to_list()) if "opportunity_id" in previous.columns else set()
    )
    table = inbox.merge_detections(previous, found, now)
    store.write_table(lake_root, f"{inbox.OPPORTUNITIES}/opportunities.parquet", table)
    rec_frame = pl.DataFrame(recs, infer_schema_length=None) if recs else pl.DataFrame()
    store.write_table(lake_root, "purchase_recommendations/recommendations.parquet", rec_frame)
    store.write_table(
        lake_root,
        "purchase_savings_curve/curve.parquet",
        pl.DataFrame(curves, infer_schema_length=None) if curves else pl.DataFrame(),
    )
    new = table.filter(~pl.col("opportunity_id").is_in(list(old_ids)))
    large_new = new.filter(pl.col("monthly_savings") >= t.large_opportunity_monthly).height
    total = sum((o.monthly_savings for o in found), Decimal(0))
    return SavingsRunResult(
        len(resources), with_metrics, len(found), total, len(recs), large_new
    ), new


def notify_new(
    lake_root: str, webhooks_file: str, new: pl.DataFrame, threshold: Decimal
) -> dict[str, int]:
    """Announce new large open opportunities on the webhooks that want ``savings`` events."""
    from models_ml.notify import deliver, load_webhooks, log_row, plan_deliveries
    from models_ml.runs import DELIVERY_SCHEMA, delivery_log

    if not webhooks_file or not Path(webhooks_file).exists():
        return {"webhooks": 0, "sent": 0}
    hooks = [h for h in load_webhooks(webhooks_file) if "savings" in h.events]
    notes = inbox.new_large_notifications(
        new.iter_rows(named=True), threshold, inbox.current_statuses(lake_root)
    )
    logd = delivery_log(lake_root)
    delivered = (
        set(logd.filter(pl.col("status") == "delivered").select("webhook", "event_key").iter_rows())
        if not logd.is_empty()
        else set()
    )
    todo = plan_deliveries(hooks, notes, delivered)
    if not todo:
        return {"webhooks": len(hooks), "sent": 0}
    now = dt.datetime.now(dt.UTC)
    store.append_log(
        lake_root,
        "webhook_deliveries",
        pl.DataFrame([log_row(h, n, "pending", now) for h, n in todo], schema=DELIVERY_SCHEMA),
    )
    results = [deliver(h, n) for h, n in todo]
    store.append_log(lake_root, "webhook_deliveries", pl.DataFrame(results, schema=DELIVERY_SCHEMA))
    return {"webhooks": len(hooks), "sent": len(results)}
