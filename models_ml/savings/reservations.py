"""Reservation recommendations by instance type and region, from steady on-demand usage.

For every AWS RDS instance type (``InstanceUsage:db.*``) and region running on demand (EC2 is
left to the Compute Savings Plan recommendation, which covers the same usage more flexibly:
recommending both would count the same savings twice), the on-demand cost per day over the last
60 days is priced as it would have been with N reserved instances, N = 0, 1, 2, ...; the N that saves most over each
lookback (7, 30, 60 days) is found and the lowest is recommended (``purchase.recommend`` with a
step of one reservation). The discount is the one your existing reservations got (observed); the
on-demand hourly rate is the export's list unit price.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from models_ml.savings import purchase

STEADY_SQL = """
with last_day as (select max(charge_date) as d from intermediate.int_charges_rate_classified)
select provider, region_id, billing_currency,
       regexp_extract(sku_meter, ':([a-z0-9.]+)$', 1) as instance_type,
       service_category, charge_date,
       sum(consumed_quantity) as instance_hours, sum(list_equivalent_cost) as on_demand_cost,
       max(list_unit_price) as hourly_rate
from intermediate.int_charges_rate_classified, last_day
where rate_class = 'on_demand' and provider = 'aws'
  and sku_meter like '%InstanceUsage:db.%'
  and charge_date > last_day.d - interval 60 day
group by all order by charge_date
"""
RI_DISCOUNT_SQL = """
select sum(effective_cost), sum(list_equivalent_cost)
from intermediate.int_charges_rate_classified
where rate_class = 'committed_used' and provider = 'aws' and commitment_discount_type = 'Reserved Instance'
"""


def reservation_recommendations(
    con: Any, as_of: dt.date | None, min_monthly: Decimal
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """One recommendation per (region, instance type) worth at least ``min_monthly`` a month, and
    their savings curves."""
    eff, lst = con.execute(RI_DISCOUNT_SQL).fetchone() or (None, None)
    discount = (
        purchase.observed_discount(Decimal(lst), Decimal(eff)) if lst and eff is not None else None
    )
    if not discount:
        return [], []
    days: dict[tuple[str, str, str, str], dict[dt.date, Decimal]] = defaultdict(dict)
    rate: dict[tuple[str, str, str, str], Decimal] = {}
    for _provider, region, cur, itype, category, day, _hours, cost, hourly in con.execute(
        STEADY_SQL
    ).fetchall():
        if not itype or not hourly:
            continue
        key = (region or "", itype, cur, category or "Compute")
        days[key][day] = days[key].get(day, Decimal(0)) + Decimal(cost)
        rate[key] = max(rate.get(key, Decimal(0)), Decimal(hourly))
    recs: list[dict[str, object]] = []
    curves: list[dict[str, object]] = []
    for (region, itype, cur, category), by_day in sorted(days.items()):
        start, end = min(by_day), max(by_day)
        series = [
            by_day.get(start + dt.timedelta(days=i), Decimal(0))
            for i in range((end - start).days + 1)
        ]
        step = (
            rate[(region, itype, cur, category)] * 24 * (1 - discount)
        )  # one reservation, one day
        rec = purchase.recommend(series, discount, periods_per_day=1, step=step)
        count = int(rec.level / step) if step else 0
        if count < 1 or rec.monthly_savings < min_monthly:
            continue
        rid = f"aws:{category}:{cur}:{region}:{itype}"
        curves += purchase.curve_rows(rid, rec, len(series))
        recs.append({
            "recommendation_id": rid, "provider": "aws",
            "service_category": category, "billing_currency": cur, "granularity": "day",
            "discount": float(discount), "discount_source": "observed effective rate of existing reservations",
            "term": "1 year", "payment_option": "No Upfront", "level_per_period": rec.level,
            "monthly_commitment": rec.monthly_commitment.quantize(Decimal("0.01")),
            "monthly_savings": rec.monthly_savings.quantize(Decimal("0.01")),
            "best_level_7d": rec.best_by_lookback.get(7), "best_level_30d": rec.best_by_lookback.get(30),
            "best_level_60d": rec.best_by_lookback.get(60),
            "assumptions": (f"reserve {count} x {itype} in {region}: the steady count over 7/30/60 days (lowest); "
                            f"on-demand ${rate[(region, itype, cur, category)]}/h from the export, discount {discount:.1%} "
                            "= what your reservations got"),
            "as_of_date": as_of, "commitment_kind": "reservation", "region_id": region,
            "instance_type": itype, "instance_count": count,
        })  # fmt: skip
    return recs, curves
