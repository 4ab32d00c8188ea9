{#- FOCUS input rows -> the charge model. A FOCUS dataset already speaks FOCUS: values are kept as
    exported (BilledCost reconciles to the cent), only defaults for columns older FOCUS versions
    lack are filled. provider is the row's provider (ProviderName), source says it came as FOCUS. -#}
with

rows as (
    select * from {{ ref('stg_focus__charges') }}
),

final as (
    select
        source_file,
        source_row,
        schema_variant,
        provider,
        coalesce(provider_name, provider) as provider_name,
        coalesce(publisher_name, provider_name, provider) as publisher_name,
        invoice_id,
        billing_account_id,
        coalesce(billing_account_name, billing_account_id) as billing_account_name,
        coalesce(billing_account_type, 'Billing Account') as billing_account_type,
        sub_account_id,
        sub_account_name,
        case when sub_account_id is not null then coalesce(sub_account_type, 'Sub Account') end as sub_account_type,
        billing_period,
        billing_period_start,
        billing_period_end,
        charge_period_start,
        charge_period_end,
        nullif(charge_class, '') as charge_class,
        coalesce(nullif(billing_currency, ''), 'USD') as billing_currency,
        coalesce(nullif(service_name, ''), 'Unknown') as service_name,
        coalesce(nullif(service_category, ''), 'Other') as service_category,
        coalesce(nullif(service_subcategory, ''), 'Other (Other)') as service_subcategory,
        nullif(region_id, '') as region_id,
        nullif(region_name, '') as region_name,
        nullif(availability_zone, '') as availability_zone,
        nullif(resource_id, '') as resource_id,
        nullif(resource_name, '') as resource_name,
        nullif(resource_type, '') as resource_type,
        nullif(sku_id, '') as sku_id,
        nullif(sku_meter, '') as sku_meter,
        nullif(commitment_discount_id, '') as commitment_discount_id,
        nullif(commitment_discount_name, '') as commitment_discount_name,
        nullif(commitment_discount_category, '') as commitment_discount_category,
        nullif(commitment_discount_type, '') as commitment_discount_type,
        nullif(commitment_discount_status, '') as commitment_discount_status,
        commitment_discount_quantity,
        nullif(commitment_discount_unit, '') as commitment_discount_unit,
        tags_json,
        extension_columns_json,
        'focus:' || source_file || ':' || source_row as charge_id,
        charge_category,
        charge_description,
        coalesce(nullif(charge_frequency, ''), case when charge_category = 'Usage' then 'Usage-Based' else 'One-Time' end) as charge_frequency,
        {{ money('coalesce(billed_cost, 0)') }} as billed_cost,
        {{ money('coalesce(effective_cost, billed_cost, 0)') }} as effective_cost,
        {{ money('coalesce(list_cost, billed_cost, 0)') }} as list_cost,
        {{ money('coalesce(contracted_cost, billed_cost, 0)') }} as contracted_cost,
        list_unit_price,
        contracted_unit_price,
        nullif(pricing_category, '') as pricing_category,
        pricing_quantity,
        nullif(pricing_unit, '') as pricing_unit,
        consumed_quantity,
        nullif(consumed_unit, '') as consumed_unit,
        nullif(sku_price_id, '') as sku_price_id,
        'focus' as source
    from rows
)

select * from final
