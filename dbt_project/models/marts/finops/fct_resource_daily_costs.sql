{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='billing_period',
    on_schema_change='fail'
) }}
{#- Daily costs per resource with its normalized tags, for the cost explorer's resource and tag
    views. Charges without a resource are kept as resource_id '(no resource)'. Name and tags are
    the latest charge's (ties: the greatest charge_id, so every build picks the same). Grain:
    resource_daily_cost_id. -#}
with

charges as (
    select * from {{ ref('fct_charges') }}
    {% if is_incremental() %}
    where {{ billing_period_filter('billing_period') }}
    {% endif %}
),

aggregated as (
    select
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
        {{ arg_max_stable('resource_name', 'charge_period_start', 'charge_id') }} as resource_name,
        {{ arg_max_stable('normalized_tags_json', 'charge_period_start', 'charge_id') }} as normalized_tags_json,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(list_cost) as list_cost
    from charges
    {{ group_by_all(12) }}
),

final as (
    select
        md5(concat_ws('|', charge_date, provider, sub_account_id, service_name, region_id, team_id,
            environment, resource_id, billing_currency)) as resource_daily_cost_id,
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
        resource_name,
        normalized_tags_json,
        billing_currency,
        cast(billed_cost as decimal(38, 10)) as billed_cost,
        cast(effective_cost as decimal(38, 10)) as effective_cost,
        cast(list_cost as decimal(38, 10)) as list_cost
    from aggregated
)

select * from final
