{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook=["{{ lake_prune_begin() }}", "{{ delete_rebuilt_periods() }}"],
    post_hook="{{ lake_prune_end() }}"
) }}
{#- Charge-level fact: FOCUS 1.2 columns (snake_case) + attribution. Grain: one FOCUS charge.
    Incremental by billing period: a run for some billing periods (rebuild_periods, macros/lake.sql:
    var billing_periods or SIBYL_BILLING_PERIODS) replaces exactly those periods,
    and reads only those periods' lake partitions (lake_prune_begin, macros/lake.sql). -#}
with

attributed as (
    select * from {{ ref('int_charges_attributed') }}
    {% if is_incremental() %}
    where {{ billing_period_filter('billing_period') }}
    {% endif %}
),

final as (
    select
        charge_id,
        provider,
        source,
        billing_period,
        charge_date,
        provider_name,
        publisher_name,
        invoice_issuer_name,
        invoice_id,
        billing_account_id,
        billing_account_name,
        billing_account_type,
        sub_account_id,
        sub_account_name,
        sub_account_type,
        billing_period_start,
        billing_period_end,
        charge_period_start,
        charge_period_end,
        charge_category,
        charge_class,
        charge_description,
        charge_frequency,
        billed_cost,
        effective_cost,
        list_cost,
        contracted_cost,
        cast(list_unit_price as decimal(38, 10)) as list_unit_price,
        cast(contracted_unit_price as decimal(38, 10)) as contracted_unit_price,
        billing_currency,
        pricing_category,
        cast(pricing_quantity as decimal(38, 10)) as pricing_quantity,
        pricing_unit,
        cast(consumed_quantity as decimal(38, 10)) as consumed_quantity,
        consumed_unit,
        service_name,
        service_category,
        service_subcategory,
        region_id,
        region_name,
        availability_zone,
        resource_id,
        resource_name,
        resource_type,
        sku_id,
        sku_price_id,
        sku_meter,
        commitment_discount_id,
        commitment_discount_name,
        commitment_discount_category,
        commitment_discount_type,
        commitment_discount_status,
        cast(commitment_discount_quantity as decimal(38, 10)) as commitment_discount_quantity,
        commitment_discount_unit,
        tags_json,
        extension_columns_json,
        normalized_tags_json,
        team_id,
        business_unit_id,
        business_group_id,
        attribution_method,
        environment,
        cost_center,
        is_fully_tagged,
        missing_required_tags,
        source_file,
        source_row,
        schema_variant
    from attributed
)

select * from final
