{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_periods() }}"
) }}
{#- Per resource and billing period: its latest charge in the period (ties: the greatest md5 of
    charge_id) with that charge's attributes, its cost and first/last charge date.
    fct_untagged_resources rolls this small table up over all periods instead of reading every
    charge. Grain: provider x
    resource_id x billing_currency x billing_period (usage charges with a resource id).
    Incremental by billing period: a run for some billing periods (rebuild_periods, macros/lake.sql)
    replaces exactly those periods (the pre-hook deletes them first, so a period left without any
    resource charge keeps no row either). -#}
with

charges as (
    select provider, resource_id, billing_currency, billing_period, charge_id, charge_date, effective_cost
    from {{ ref('fct_charges') }}
    where resource_id is not null and charge_category = 'Usage'
    {% if is_incremental() %}
      and {{ billing_period_filter('billing_period') }}
    {% endif %}
),

-- the latest charge first, then its attributes by joining the fact back (not the CTE: a CTE read
-- twice is materialized, every charge with it): one aggregate state per resource and period
-- instead of one per attribute
per_period as (
    select
        provider,
        resource_id,
        billing_currency,
        billing_period,
        {{ arg_max_latest('charge_id', 'charge_date', 'charge_id') }} as latest_charge_id,
        sum(effective_cost) as total_cost,
        min(charge_date) as first_seen_date,
        max(charge_date) as last_seen_date
    from charges
    group by provider, resource_id, billing_currency, billing_period
),

final as (
    select
        p.provider,
        p.resource_id,
        p.billing_currency,
        p.billing_period,
        p.latest_charge_id,
        c.charge_date as latest_charge_date,
        c.resource_name,
        c.resource_type,
        c.sub_account_id,
        c.region_id,
        c.service_name,
        c.team_id,
        c.attribution_method,
        c.missing_required_tags,
        c.tags_json,
        c.is_fully_tagged,
        cast(p.total_cost as decimal(38, 10)) as total_cost,
        p.first_seen_date,
        p.last_seen_date
    from per_period as p
    join {{ ref('fct_charges') }} as c on c.charge_id = p.latest_charge_id
    {% if is_incremental() %}
    where {{ billing_period_filter('c.billing_period') }}
    {% endif %}
)

select * from final
