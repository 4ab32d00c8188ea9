{{ config(tags=['ml']) }}
{#- Commitment purchase recommendations (savings plans / CUDs / reservations by spend): the level
    that saves most over 7, 30 and 60 days of on-demand eligible spend, the lowest of those, its
    monthly commitment and savings, and the assumptions; reservations (commitment_kind = reservation)
    name the region, instance type and how many. Grain: recommendation_id. -#}
-- depends_on: {{ source('ml_savings', 'purchase_recommendations') }}
with

recommendations as (
    select * from {{ ml_table('purchase_recommendations', "null::varchar as recommendation_id, null::varchar as provider, null::varchar as service_category, null::varchar as billing_currency, null::varchar as granularity, null::double as discount, null::varchar as discount_source, null::varchar as term, null::varchar as payment_option, null::decimal(38,10) as level_per_period, null::decimal(18,2) as monthly_commitment, null::decimal(18,2) as monthly_savings, null::decimal(38,10) as best_level_7d, null::decimal(38,10) as best_level_30d, null::decimal(38,10) as best_level_60d, null::varchar as assumptions, null::date as as_of_date, null::varchar as commitment_kind, null::varchar as region_id, null::varchar as instance_type, null::bigint as instance_count") }}
),

final as (
    select
        recommendation_id,
        provider,
        service_category,
        billing_currency,
        granularity,
        discount,
        discount_source,
        term,
        payment_option,
        cast(level_per_period as decimal(38, 10)) as level_per_period,
        cast(monthly_commitment as decimal(18, 2)) as monthly_commitment,
        cast(monthly_savings as decimal(18, 2)) as monthly_savings,
        cast(best_level_7d as decimal(38, 10)) as best_level_7d,
        cast(best_level_30d as decimal(38, 10)) as best_level_30d,
        cast(best_level_60d as decimal(38, 10)) as best_level_60d,
        assumptions,
        as_of_date,
        commitment_kind,
        region_id,
        instance_type,
        cast(instance_count as bigint) as instance_count
    from recommendations
)

select * from final
