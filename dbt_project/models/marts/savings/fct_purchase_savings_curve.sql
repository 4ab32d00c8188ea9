{{ config(tags=['ml']) }}
{#- The savings curve of each purchase recommendation: monthly savings, coverage and utilization at
    each candidate commitment level. Grain: curve_point_id (recommendation_id, level_per_period). -#}
-- depends_on: {{ source('ml_savings', 'purchase_savings_curve') }}
with

curve as (
    select * from {{ ml_table('purchase_savings_curve', "null::varchar as recommendation_id, null::decimal(38,10) as level_per_period, null::decimal(18,2) as monthly_commitment, null::decimal(18,2) as monthly_savings, null::double as coverage, null::double as utilization, null::boolean as is_recommended") }}
),

final as (
    select
        recommendation_id || ':' || cast(cast(level_per_period as decimal(38, 10)) as varchar) as curve_point_id,
        recommendation_id,
        cast(level_per_period as decimal(38, 10)) as level_per_period,
        cast(monthly_commitment as decimal(18, 2)) as monthly_commitment,
        cast(monthly_savings as decimal(18, 2)) as monthly_savings,
        coverage,
        utilization,
        is_recommended
    from curve
)

select * from final
