{{ config(tags=['ml']) }}
{#- Budget status per budget and as-of day (history kept): actual to date, burn rate, projections,
    exhaustion date, alert level, thresholds crossed, circuit-breaker state. Grain: budget_id,
    as_of_date. -#}
-- depends_on: {{ source('ml', 'budget_status') }}
select
    budget_id, scope_type, scope_value, scope, period, period_start, period_end, as_of_date,
    currency as billing_currency,
    cast(budget_amount as decimal(18, 2)) as budget_amount,
    cast(actual_cost_to_date as decimal(18, 2)) as actual_cost_to_date,
    days_elapsed, days_in_period,
    cast(daily_burn_rate as decimal(18, 2)) as daily_burn_rate,
    cast(projected_period_end_linear as decimal(18, 2)) as projected_period_end_linear,
    cast(projected_period_end_forecast as decimal(18, 2)) as projected_period_end_forecast,
    cast(projected_period_end_cost as decimal(18, 2)) as projected_period_end_cost,
    projection_method, projected_exhaustion_date, pct_used, projected_pct,
    thresholds_crossed, forecast_thresholds_crossed, highest_threshold_crossed, alert_level,
    breaker_state, breaker_reason, override_until, override_by, owners, channels, computed_at
from {{ ml_table('budget_status', "null::varchar as budget_id, null::varchar as scope_type, null::varchar as scope_value, null::varchar as scope, null::varchar as period, null::date as period_start, null::date as period_end, null::date as as_of_date, null::varchar as currency, null::decimal(18,2) as budget_amount, null::decimal(18,2) as actual_cost_to_date, null::bigint as days_elapsed, null::bigint as days_in_period, null::decimal(18,2) as daily_burn_rate, null::decimal(18,2) as projected_period_end_linear, null::decimal(18,2) as projected_period_end_forecast, null::decimal(18,2) as projected_period_end_cost, null::varchar as projection_method, null::date as projected_exhaustion_date, null::double as pct_used, null::double as projected_pct, null::varchar as thresholds_crossed, null::varchar as forecast_thresholds_crossed, null::bigint as highest_threshold_crossed, null::varchar as alert_level, null::varchar as breaker_state, null::varchar as breaker_reason, null::timestamptz as override_until, null::varchar as override_by, null::varchar as owners, null::varchar as channels, null::timestamptz as computed_at") }}
