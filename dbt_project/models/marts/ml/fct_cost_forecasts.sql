{{ config(tags=['ml']) }}
{#- The latest run's daily forecasts per scope for the next 90 days (30/60/90-day buckets), with the
    model chosen by backtest and its scores. Grain: series_id, ds. -#}
-- depends_on: {{ source('ml', 'cost_forecasts') }}
-- depends_on: {{ source('ml', 'forecast_scores') }}
with

forecasts as (
    select * from {{ ml_table('cost_forecasts', "null::varchar as series_id, null::varchar as scope_type, null::varchar as scope_value, null::varchar as currency, null::date as ds, null::double as yhat, null::double as yhat_lower, null::double as yhat_upper, null::double as yhat_lower_95, null::double as yhat_upper_95, null::varchar as model, null::date as as_of_date, null::integer as horizon_day, null::integer as horizon_bucket") }}
),

scores as (
    select * from {{ ml_table('forecast_scores', "null::varchar as series_id, null::varchar as model, null::double as mase, null::double as smape, null::bigint as origins, null::boolean as selected, null::date as as_of_date") }}
),

latest as (
    select * from forecasts where as_of_date = (select max(as_of_date) from forecasts)
)

select
    f.series_id,
    f.scope_type,
    f.scope_value,
    f.currency as billing_currency,
    f.as_of_date,
    f.ds,
    f.horizon_day,
    f.horizon_bucket,
    cast(round(f.yhat, 2) as decimal(18, 2)) as yhat,
    cast(round(f.yhat_lower, 2) as decimal(18, 2)) as yhat_lower,
    cast(round(f.yhat_upper, 2) as decimal(18, 2)) as yhat_upper,
    cast(round(f.yhat_lower_95, 2) as decimal(18, 2)) as yhat_lower_95,
    cast(round(f.yhat_upper_95, 2) as decimal(18, 2)) as yhat_upper_95,
    f.model,
    s.mase as backtest_mase,
    s.smape as backtest_smape
from latest f
left join scores s
  on s.series_id = f.series_id and s.as_of_date = f.as_of_date and s.selected
