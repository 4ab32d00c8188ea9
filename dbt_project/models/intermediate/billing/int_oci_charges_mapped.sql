{#- OCI cost-report rows -> FOCUS 1.2 charges (corrections are Adjustments). -#}
with

rows as (
    select * from {{ ref('stg_oci__cost_report') }}
),

final as (
    select
        source_file,
        source_row,
        schema_variant,
        'Oracle' as provider_name,
        'Oracle' as publisher_name,
        cast(null as varchar) as invoice_id,
        tenant_id as billing_account_id,
        tenant_id as billing_account_name,
        'Tenancy' as billing_account_type,
        compartment_id as sub_account_id,
        case when compartment_id is not null then coalesce(compartment_name, compartment_id) end as sub_account_name,
        case when compartment_id is not null then 'Compartment' end as sub_account_type,
        billing_period,
        cast(billing_period as timestamp) as billing_period_start,
        cast(billing_period + interval '1 month' as timestamp) as billing_period_end,
        usage_start_at as charge_period_start,
        usage_end_at as charge_period_end,
        case when is_correction then 'Correction' end as charge_class,
        currency_code as billing_currency,
        service as service_name,
        'Other' as service_category,
        'Other (Other)' as service_subcategory,
        region as region_id,
        region as region_name,
        availability_domain as availability_zone,
        resource_id,
        case when resource_id is not null then regexp_extract(resource_id, '([^./]+)$', 1) end as resource_name,
        case when resource_id is not null then service end as resource_type,
        product_sku as sku_id,
        product_description as sku_meter,
        cast(null as varchar) as commitment_discount_id,
        cast(null as varchar) as commitment_discount_name,
        cast(null as varchar) as commitment_discount_category,
        cast(null as varchar) as commitment_discount_type,
        cast(null as varchar) as commitment_discount_status,
        cast(null as decimal(38, 10)) as commitment_discount_quantity,
        cast(null as varchar) as commitment_discount_unit,
        tags_json,
        'oci:' || source_file || ':' || source_row as charge_id,
        case when is_correction then 'Adjustment' else 'Usage' end as charge_category,
        product_description as charge_description,
        case when is_correction then 'One-Time' else 'Usage-Based' end as charge_frequency,
        {{ money('my_cost') }} as billed_cost,
        {{ money('my_cost') }} as effective_cost,
        {{ money('my_cost') }} as list_cost,
        {{ money('my_cost') }} as contracted_cost,
        case when not is_correction then cast(coalesce(unit_price, 0) as decimal(38, 10)) end as list_unit_price,
        case when not is_correction then cast(coalesce(unit_price, 0) as decimal(38, 10)) end as contracted_unit_price,
        case when not is_correction then 'Standard' end as pricing_category,
        case when not is_correction then coalesce(billed_quantity, 0) end as pricing_quantity,
        case when not is_correction then coalesce(sku_unit, 'Units') end as pricing_unit,
        case when not is_correction then coalesce(billed_quantity, 0) end as consumed_quantity,
        case when not is_correction then coalesce(sku_unit, 'Units') end as consumed_unit,
        case when not is_correction then product_sku end as sku_price_id
    from rows
)

select * from final
