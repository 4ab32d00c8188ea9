{#- Resources missing at least one required tag (or carrying an unknown team value), ranked
    material: cost over the last 30 days, first/last seen. Grain: provider x resource_id x currency.
    Attributes as on the resource's latest charge (ties: the greatest charge_id). -#}
with

charges as (
    select * from {{ ref('fct_charges') }}
    where resource_id is not null and charge_category = 'Usage'
),

as_of as (select {{ as_of_date_sql() }} as as_of_date),

per_resource as (
    select
        c.provider,
        c.resource_id,
        c.billing_currency,
        {{ arg_max_stable('c.resource_name', 'c.charge_date', 'c.charge_id') }} as resource_name,
        {{ arg_max_stable('c.resource_type', 'c.charge_date', 'c.charge_id') }} as resource_type,
        {{ arg_max_stable('c.sub_account_id', 'c.charge_date', 'c.charge_id') }} as sub_account_id,
        {{ arg_max_stable('c.region_id', 'c.charge_date', 'c.charge_id') }} as region_id,
        {{ arg_max_stable('c.service_name', 'c.charge_date', 'c.charge_id') }} as service_name,
        {{ arg_max_stable('c.team_id', 'c.charge_date', 'c.charge_id') }} as team_id,
        {{ arg_max_stable('c.attribution_method', 'c.charge_date', 'c.charge_id') }} as attribution_method,
        {{ arg_max_stable('c.missing_required_tags', 'c.charge_date', 'c.charge_id') }} as missing_required_tags,
        {{ arg_max_stable('c.is_fully_tagged', 'c.charge_date', 'c.charge_id') }} as is_fully_tagged_now,
        {{ arg_max_stable('c.tags_json', 'c.charge_date', 'c.charge_id') }} as current_tags_json,
        sum(c.effective_cost) filter (where c.charge_date > a.as_of_date - 30 and c.charge_date <= a.as_of_date) as cost_last_30d,
        sum(c.effective_cost) as total_cost,
        min(c.charge_date) as first_seen_date,
        max(c.charge_date) as last_seen_date
    from charges as c
    cross join as_of as a
    group by 1, 2, 3
),

final as (
    select
        provider,
        resource_id,
        resource_name,
        resource_type,
        sub_account_id,
        region_id,
        service_name,
        team_id,
        attribution_method,
        coalesce(nullif(missing_required_tags, ''), 'team (unknown value)') as missing_required_tags,
        current_tags_json,
        billing_currency,
        cast(coalesce(cost_last_30d, 0) as decimal(38, 10)) as cost_last_30d,
        cast(total_cost as decimal(38, 10)) as total_cost,
        first_seen_date,
        last_seen_date
    from per_resource
    where not is_fully_tagged_now
)

select * from final
