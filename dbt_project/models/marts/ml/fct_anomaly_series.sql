{{ config(tags=['ml']) }}
{#- Every scored day of every anomaly series (the chart of a series with its expected band).
    Grain: series_id, ds. -#}
-- depends_on: {{ source('ml', 'anomaly_scores') }}
select
    series_id,
    scope_type,
    scope_value,
    currency as billing_currency,
    cast(ds as date) as ds,
    y,
    expected,
    lower,
    upper,
    score,
    is_anomaly,
    methods,
    confidence
from {{ ml_table('anomaly_scores', "null::varchar as series_id, null::varchar as scope_type, null::varchar as scope_value, null::varchar as currency, null::date as ds, null::double as y, null::double as expected, null::double as lower, null::double as upper, null::double as score, null::boolean as is_anomaly, null::varchar as methods, null::double as confidence") }}
