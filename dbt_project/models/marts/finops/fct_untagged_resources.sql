{#- Resources missing at least one required tag (or carrying an unknown team value), ranked
    material: cost over the last 30 days, first/last seen. Grain: provider x resource_id x currency.
    Attributes as on the resource's latest charge (ties: the greatest md5 of charge_id).
    A roll-up of int_resource_periods (each resource's latest charge, cost and first/last seen per
    billing period, incremental by period), so a one-month rebuild does not read every charge; only
    the 30-day cost reads the fact, for the charge dates of its window. -#}
with

as_of as (select {{ as_of_date_sql() }} as as_of_date),

per_resource as (
    select
        provider,
        resource_id,
        billing_currency,
        -- the latest of the periods' latest charges is the resource's latest charge
        {{ arg_max_latest('latest_charge_id', 'latest_charge_date', 'latest_charge_id') }} as latest_charge_id,
        sum(total_cost) as total_cost,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date
    from {{ ref('int_resource_periods') }}
    group by provider, resource_id, billing_currency
),

last_30d as (
    select c.provider, c.resource_id, c.billing_currency, sum(c.effective_cost) as cost_last_30d
    from {{ ref('fct_charges') }} as c
    cross join as_of as a
    where c.resource_id is not null and c.charge_category = 'Usage'
      and c.charge_date > a.as_of_date - 30 and c.charge_date <= a.as_of_date
    group by c.provider, c.resource_id, c.billing_currency
),

final as (
    select
        p.provider,
        p.resource_id,
        r.resource_name,
        r.resource_type,
        r.sub_account_id,
        r.region_id,
        r.service_name,
        r.team_id,
        r.attribution_method,
        coalesce(nullif(r.missing_required_tags, ''), 'team (unknown value)') as missing_required_tags,
        r.tags_json as current_tags_json,
        p.billing_currency,
        cast(coalesce(l.cost_last_30d, 0) as decimal(38, 10)) as cost_last_30d,
        cast(p.total_cost as decimal(38, 10)) as total_cost,
        p.first_seen_date,
        p.last_seen_date
    from per_resource as p
    join {{ ref('int_resource_periods') }} as r on r.latest_charge_id = p.latest_charge_id
    left join last_30d as l
        on l.provider = p.provider and l.resource_id = p.resource_id and l.billing_currency = p.billing_currency
    where not r.is_fully_tagged
)

select * from final
