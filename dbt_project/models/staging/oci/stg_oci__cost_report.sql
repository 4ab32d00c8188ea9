-- depends_on: {{ source('lake', 'oci_billing') }}
{#- One row per OCI cost-report row (reports/cost-csv). Tags (tags/<namespace>.<key>) become a JSON
    object built by DuckDB. -#}
{% set src = lake_source('oci', 'oci_cost') %}

with

rows as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _schema_variant as schema_variant,
        {% if src.columns %}_billing_currency{% else %}null{% endif %} as lineage_currency,
        {{ lake_col(src, 'lineItem/referenceNo') }} as reference_no,
        {{ lake_col(src, 'lineItem/tenantId') }} as tenant_id,
        {{ lake_col(src, 'lineItem/intervalUsageStart') }} as usage_start_raw,
        {{ lake_col(src, 'lineItem/intervalUsageEnd') }} as usage_end_raw,
        {{ lake_col(src, 'product/service') }} as service,
        {{ lake_col(src, 'product/compartmentId') }} as compartment_id,
        {{ lake_col(src, 'product/compartmentName') }} as compartment_name,
        {{ lake_col(src, 'product/region') }} as region,
        {{ lake_col(src, 'product/availabilityDomain') }} as availability_domain,
        {{ lake_col(src, 'product/resourceId') }} as resource_id,
        {{ lake_col(src, 'usage/billedQuantity', 'decimal(38, 10)') }} as billed_quantity,
        {{ lake_col(src, 'cost/subscriptionId') }} as subscription_id,
        {{ lake_col(src, 'cost/productSku') }} as product_sku,
        {{ lake_col(src, 'product/Description') }} as product_description,
        {{ lake_col(src, 'cost/unitPrice', 'decimal(38, 10)') }} as unit_price,
        {{ lake_col(src, 'cost/myCost', 'decimal(38, 10)') }} as my_cost,
        {{ lake_col(src, 'cost/currencyCode') }} as currency_code,
        {{ lake_col(src, 'cost/skuUnitDescription') }} as sku_unit,
        {{ lake_col(src, 'lineItem/isCorrection') }} as is_correction,
        {{ tag_columns_json(src, 'tags/', 'tags/') }} as tags_json
    from {{ src.relation }}
    where {{ lake_filter(src) }}
),

final as (
    select
        source_file,
        source_row,
        schema_variant,
        reference_no,
        tenant_id,
        {{ any_timestamp('usage_start_raw') }} as usage_start_at,
        {{ any_timestamp('usage_end_raw') }} as usage_end_at,
        cast(date_trunc('month', {{ any_timestamp('usage_start_raw') }}) as date) as billing_period,
        service,
        nullif(compartment_id, '') as compartment_id,
        nullif(compartment_name, '') as compartment_name,
        nullif(region, '') as region,
        nullif(availability_domain, '') as availability_domain,
        nullif(resource_id, '') as resource_id,
        billed_quantity,
        nullif(subscription_id, '') as subscription_id,
        nullif(product_sku, '') as product_sku,
        nullif(product_description, '') as product_description,
        unit_price,
        coalesce(my_cost, 0) as my_cost,
        -- rows without a currency (free-tier lines) carry the file's only currency (ingest lineage)
        coalesce(nullif(upper(currency_code), ''), lineage_currency, 'USD') as currency_code,
        nullif(sku_unit, '') as sku_unit,
        lower(coalesce(is_correction, 'false')) = 'true' as is_correction,
        tags_json
    from rows
)

select * from final
