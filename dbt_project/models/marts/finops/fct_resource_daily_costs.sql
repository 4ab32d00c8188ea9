{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_periods() }}"
) }}
{#- Daily costs per resource with its normalized tags, for the cost explorer's resource and tag
    views. Charges without a resource are kept as resource_id '(no resource)'. Name and tags are
    the latest charge's (ties: the greatest md5 of charge_id, so every build picks the same). Grain:
    resource_daily_cost_id.
    The aggregate keeps only fixed-size states: the latest name and tags travel through it as 64-bit
    hashes and are joined back from the resources' distinct names and tag sets. Text states
    (arg_max or any_value of a varchar) do not spill: at 100M line items, 64.7M resource-days, the
    aggregate ran out of an 11 GB memory limit with them and took 115 s and 8.1 GB without
    (docs/scale.md). -#}
with

charges as not materialized (
    select
        charge_id,
        charge_period_start,
        charge_date,
        billing_period,
        provider,
        coalesce(sub_account_id, '(none)') as sub_account_id,
        service_name,
        coalesce(region_id, '(global)') as region_id,
        team_id,
        business_unit_id,
        business_group_id,
        coalesce(environment, '(unknown)') as environment,
        coalesce(resource_id, '(no resource)') as resource_id,
        billing_currency,
        resource_name,
        normalized_tags_json,
        billed_cost,
        effective_cost,
        list_cost
    from {{ ref('fct_charges') }}
    {% if is_incremental() %}
    where {{ billing_period_filter('billing_period') }}
    {% endif %}
),

aggregated as (
    select
        charge_date,
        billing_period,
        provider,
        sub_account_id,
        service_name,
        region_id,
        team_id,
        business_unit_id,
        business_group_id,
        environment,
        resource_id,
        billing_currency,
        {{ arg_max_latest(text_hash('resource_name'), 'charge_period_start', 'charge_id') }} as resource_name_hash,
        {{ arg_max_latest(text_hash('normalized_tags_json'), 'charge_period_start', 'charge_id') }} as tags_hash,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(list_cost) as list_cost
    from charges
    {{ group_by_all(12) }}
),

-- per resource, so two texts would have to share a 64-bit hash within one resource to mix up
resource_names as (
    select distinct resource_id, {{ text_hash('resource_name') }} as resource_name_hash, resource_name
    from charges
    where resource_name is not null
),

tag_sets as (
    select distinct resource_id, {{ text_hash('normalized_tags_json') }} as tags_hash, normalized_tags_json
    from charges
    where normalized_tags_json is not null
),

final as (
    select
        md5(concat_ws('|', a.charge_date, a.provider, a.sub_account_id, a.service_name, a.region_id,
            a.team_id, a.environment, a.resource_id, a.billing_currency)) as resource_daily_cost_id,
        a.charge_date,
        a.billing_period,
        a.provider,
        a.sub_account_id,
        a.service_name,
        a.region_id,
        a.team_id,
        a.business_unit_id,
        a.business_group_id,
        a.environment,
        a.resource_id,
        n.resource_name,
        t.normalized_tags_json,
        a.billing_currency,
        cast(a.billed_cost as decimal(38, 10)) as billed_cost,
        cast(a.effective_cost as decimal(38, 10)) as effective_cost,
        cast(a.list_cost as decimal(38, 10)) as list_cost
    from aggregated as a
    left join resource_names as n
        on n.resource_id = a.resource_id and n.resource_name_hash = a.resource_name_hash
    left join tag_sets as t
        on t.resource_id = a.resource_id and t.tags_hash = a.tags_hash
)

select * from final
