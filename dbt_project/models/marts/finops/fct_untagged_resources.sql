{#- Resources missing at least one required tag (or carrying an unknown team value), ranked
    material: cost over the last 30 days, first/last seen. Grain: provider x resource_id x currency.
    Attributes as on the resource's latest charge (ties: the greatest charge_id). -#}
with

charges as (
    select provider, resource_id, billing_currency, charge_id, charge_date, effective_cost
    from {{ ref('fct_charges') }}
    where resource_id is not null and charge_category = 'Usage'
),

as_of as (select {{ as_of_date_sql() }} as as_of_date),

-- the latest charge of each resource first, then its attributes by joining the fact back (not the
-- CTE: a CTE read twice is materialized, every charge with it): one aggregate state per resource
-- instead of one per attribute (ten struct-keyed arg_max states per resource spilled tens of GB
-- at 100M line items)
per_resource as (
    select
        c.provider,
        c.resource_id,
        c.billing_currency,
        {{ arg_max_stable('c.charge_id', 'c.charge_date', 'c.charge_id') }} as latest_charge_id,
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
        p.provider,
        p.resource_id,
        c.resource_name,
        c.resource_type,
        c.sub_account_id,
        c.region_id,
        c.service_name,
        c.team_id,
        c.attribution_method,
        coalesce(nullif(c.missing_required_tags, ''), 'team (unknown value)') as missing_required_tags,
        c.tags_json as current_tags_json,
        p.billing_currency,
        cast(coalesce(p.cost_last_30d, 0) as decimal(38, 10)) as cost_last_30d,
        cast(p.total_cost as decimal(38, 10)) as total_cost,
        p.first_seen_date,
        p.last_seen_date
    from per_resource as p
    join {{ ref('fct_charges') }} as c on c.charge_id = p.latest_charge_id
    where not c.is_fully_tagged
)

select * from final
