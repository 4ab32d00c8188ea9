{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_periods() }}"
) }}
{#- Daily costs per provider, account, service, region, team and charge category (all currencies
    kept apart). Grain: one row per daily_cost_id. -#}
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
        billing_account_id,
        coalesce(sub_account_id, '(none)') as sub_account_id,
        service_name,
        service_category,
        coalesce(region_id, '(global)') as region_id,
        team_id,
        business_unit_id,
        business_group_id,
        attribution_method,
        coalesce(environment, '(unknown)') as environment,
        charge_category,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(list_cost) as list_cost,
        sum(contracted_cost) as contracted_cost,
        count(*) as charge_count
    from charges
    {{ group_by_all(15) }}
),

final as (
    select
        md5(concat_ws('|', charge_date, provider, billing_account_id, sub_account_id, service_name,
            region_id, team_id, attribution_method, environment, charge_category, billing_currency)) as daily_cost_id,
        charge_date,
        billing_period,
        provider,
        billing_account_id,
        sub_account_id,
        service_name,
        service_category,
        region_id,
        team_id,
        business_unit_id,
        business_group_id,
        attribution_method,
        environment,
        charge_category,
        billing_currency,
        cast(billed_cost as decimal(38, 10)) as billed_cost,
        cast(effective_cost as decimal(38, 10)) as effective_cost,
        cast(list_cost as decimal(38, 10)) as list_cost,
        cast(contracted_cost as decimal(38, 10)) as contracted_cost,
        cast(charge_count as bigint) as charge_count
    from aggregated
)

select * from final
