"""Forecast and budget queries: the latest status of every budget (breaker re-evaluated against
overrides), burn, forecast vs actual and budget vs forecast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from app.cockpit.queries.core import Marts


def budget_latest(
    m: Marts, overrides: Sequence[Any] = (), now: dt.datetime | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The newest status row of every budget, most at risk first, with the breaker re-evaluated
    against ``overrides`` (models_ml.status.overrides) at ``now``: an override given after the
    last run counts at once, an expired one no longer does."""
    from models_ml.budget import breaker_state

    sql = """select budget_id, scope, period, period_start, period_end, as_of_date, billing_currency, budget_amount,
                    actual_cost_to_date, pct_used, daily_burn_rate, projected_period_end_cost, projected_pct,
                    projection_method, projected_exhaustion_date, thresholds_crossed, alert_level,
                    breaker_state, breaker_reason, override_until, override_by, scope_type, scope_value
             from read_parquet($fct_budget_status)
             qualify row_number() over (partition by budget_id order by as_of_date desc) = 1
             order by case alert_level when 'red' then 0 when 'orange' then 1 when 'yellow' then 2 else 3 end, pct_used desc"""
    cols, rows = m.columns(sql, marts=("fct_budget_status",))
    at = now or dt.datetime.now(dt.UTC)
    i = {
        c: cols.index(c)
        for c in (
            "budget_id",
            "scope",
            "breaker_reason",
            "breaker_state",
            "override_until",
            "override_by",
        )
    }
    live = []
    for r in rows:
        state, o = breaker_state(
            bool(r[i["breaker_reason"]]), r[i["scope"]], r[i["budget_id"]], overrides, at
        )
        row = list(r)
        row[i["breaker_state"]] = state
        row[i["override_until"]] = o.until if o else None
        row[i["override_by"]] = o.by if o else None
        live.append(tuple(row))
    return cols, live


def budget_burn(m: Marts, budget_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Actual to date and projections per as-of day in the current period of a budget."""
    sql = """with b as (select * from read_parquet($fct_budget_status) where budget_id = $id),
                  cur as (select max(period_start) as p from b)
             select as_of_date, actual_cost_to_date, projected_period_end_cost, budget_amount
             from b, cur where period_start = cur.p order by as_of_date"""
    return m.columns(sql, {"id": budget_id}, marts=("fct_budget_status",))


def forecast_scopes(m: Marts) -> list[str]:
    return [
        r[0]
        for r in m.query(
            "select distinct series_id from read_parquet($fct_cost_forecasts) order by 1",
            marts=("fct_cost_forecasts",),
        )
    ]


def forecast_vs_actual(
    m: Marts, series_id: str, history_days: int = 60
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The last ``history_days`` of actual daily cost of a forecast scope, then its forecast with
    80% and 95% intervals (one row per day; actual is null in the future and vice versa)."""
    from models_ml.runs import SCOPE_COLUMNS

    scope_type, rest = series_id.split(":", 1)
    value, currency = rest.rsplit("|", 1)
    col = SCOPE_COLUMNS.get(scope_type)
    if col is None:
        raise ValueError(series_id)
    # SQL text holds only identifiers from the fixed maps above; values are bound
    sql = f"""with f as (select * from read_parquet($fct_cost_forecasts) where series_id = $sid),
                  a as (select charge_date as ds, sum(effective_cost) as actual from read_parquet($fct_daily_costs)
                        where coalesce(cast({col} as varchar), '(none)') = $value and billing_currency = $cur
                          and charge_date > (select max(as_of_date) from f) - $days
                        group by 1)
             select coalesce(a.ds, f.ds) as ds, a.actual, f.yhat, f.yhat_lower, f.yhat_upper, f.yhat_lower_95,
                    f.yhat_upper_95, f.model, f.backtest_mase
             from a full outer join f on a.ds = f.ds order by 1"""  # noqa: S608
    return m.columns(
        sql,
        {"sid": series_id, "value": value, "cur": currency, "days": history_days},
        marts=("fct_cost_forecasts", "fct_daily_costs"),
    )


def budget_vs_forecast(m: Marts, budget_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A budget's current period day by day: cumulative actual to the as-of day, then actual plus the
    cumulative forecast of its scope (with the sums of the daily 80% bounds), against the amount."""
    from models_ml.runs import SCOPE_COLUMNS

    rows = m.query(
        """select scope_type, scope_value, billing_currency, period_start, period_end, as_of_date, budget_amount
                      from read_parquet($fct_budget_status) where budget_id = $id order by as_of_date desc limit 1""",
        {"id": budget_id},
        marts=("fct_budget_status",),
    )
    if not rows:
        return [], []
    scope_type, value, cur, start, end, as_of, amount = rows[0]
    col = SCOPE_COLUMNS[scope_type]
    marts: tuple[str, ...] = (
        ("fct_daily_costs", "fct_cost_forecasts")
        if m.has("fct_cost_forecasts")
        else ("fct_daily_costs",)
    )
    forecast = (
        """select ds, null as actual, yhat, yhat_lower, yhat_upper from read_parquet($fct_cost_forecasts)
                   where series_id = $sid and ds > $as_of and ds <= $end"""
        if len(marts) == 2
        else """select null::date as ds, null as actual, null as yhat, null as yhat_lower, null as yhat_upper where false"""
    )
    # SQL text holds only identifiers from the fixed maps above; values are bound
    sql = f"""with a as (select charge_date as ds, sum(effective_cost) as actual, null as yhat, null as yhat_lower, null as yhat_upper
                         from read_parquet($fct_daily_costs)
                         where coalesce(cast({col} as varchar), '(none)') = $value and billing_currency = $cur
                           and charge_date between $start and $as_of group by 1),
                  f as ({forecast}),
                  d as (select * from a union all by name select * from f),
                  c as (select ds, sum(coalesce(actual, 0)) over w as actual_to_date,
                               sum(coalesce(actual, yhat)) over w as with_forecast,
                               sum(coalesce(actual, yhat_lower)) over w as with_forecast_lower,
                               sum(coalesce(actual, yhat_upper)) over w as with_forecast_upper,
                               actual is not null as is_actual
                        from d window w as (order by ds))
             select ds, case when is_actual then actual_to_date end as actual_to_date,
                    case when not is_actual or ds = $as_of then with_forecast end as forecast_to_date,
                    case when not is_actual or ds = $as_of then with_forecast_lower end as forecast_lower,
                    case when not is_actual or ds = $as_of then with_forecast_upper end as forecast_upper,
                    $amount as budget_amount
             from c order by ds"""  # noqa: S608
    return m.columns(
        sql,
        {
            "value": value,
            "cur": cur,
            "start": start,
            "as_of": as_of,
            "end": end,
            "amount": amount,
            "sid": f"{scope_type}:{value}|{cur}",
        },
        marts=marts,
    )
