{#- Tag compliance per day, provider, sub account and team: share of taggable cost (usage charges
    with a resource id) and of resources that carry every required tag with a known team value.
    One row per day, so the history is kept. Grain: charge_date x provider x sub_account x team x currency. -#}
with

charges as (
    select * from {{ ref('fct_charges') }}
    where resource_id is not null and charge_category = 'Usage'
),

final as (
    select
        md5(concat_ws('|', charge_date, provider, coalesce(sub_account_id, '(none)'), team_id, billing_currency)) as compliance_id,
        charge_date,
        provider,
        coalesce(sub_account_id, '(none)') as sub_account_id,
        team_id,
        billing_currency,
        cast(sum(effective_cost) as decimal(38, 10)) as taggable_cost,
        cast(coalesce(sum(effective_cost) filter (where is_fully_tagged), 0) as decimal(38, 10)) as fully_tagged_cost,
        cast(case when sum(abs(effective_cost)) = 0 then null
             else coalesce(sum(abs(effective_cost)) filter (where is_fully_tagged), 0) / sum(abs(effective_cost)) * 100 end as double) as pct_cost_fully_tagged,
        cast(count(distinct resource_id) as bigint) as resource_count,
        cast(count(distinct resource_id) filter (where is_fully_tagged) as bigint) as fully_tagged_resource_count,
        cast(count(distinct resource_id) filter (where is_fully_tagged) * 100.0 / count(distinct resource_id) as double) as pct_resources_fully_tagged
    from charges
    group by charge_date, provider, coalesce(sub_account_id, '(none)'), team_id, billing_currency
)

select * from final
