-- depends_on: {{ source('lake', 'focus_billing') }}
{#- One row per FOCUS charge row (FOCUS 1.0, 1.0r2, 1.1, 1.2; any provider; multi-provider files).
    Columns are matched by name case-insensitively, with the renames between FOCUS versions as
    aliases. provider comes from ingest's _provider lineage column (ProviderName /
    ServiceProviderName through ingest/providers.py, the one mapping). x_ columns are kept as a
    JSON object built by DuckDB (to_json over a map), never by string building. -#}
{% set src = lake_source('focus', 'focus') %}
{% set ext_cols = [] %}
{% for c in src.columns if c.lower().startswith('x_') %}{% do ext_cols.append(c) %}{% endfor %}

{% set ctes %}
with

rows as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _schema_variant as schema_variant,
        {% if src.columns %}coalesce(_provider, 'unknown'){% else %}null{% endif %} as provider,
        {{ focus_col(src, 'ProviderName|ServiceProviderName') }} as provider_name,
        {{ focus_col(src, 'PublisherName') }} as publisher_name,
        {{ focus_col(src, 'InvoiceIssuerName|InvoiceIssuer') }} as invoice_issuer_name,
        {{ focus_col(src, 'InvoiceId') }} as invoice_id,
        {{ focus_col(src, 'BillingAccountId') }} as billing_account_id,
        {{ focus_col(src, 'BillingAccountName') }} as billing_account_name,
        {{ focus_col(src, 'BillingAccountType') }} as billing_account_type,
        {{ focus_col(src, 'SubAccountId') }} as sub_account_id,
        {{ focus_col(src, 'SubAccountName') }} as sub_account_name,
        {{ focus_col(src, 'SubAccountType') }} as sub_account_type,
        {{ focus_col(src, 'BillingPeriodStart') }} as billing_period_start_raw,
        {{ focus_col(src, 'BillingPeriodEnd') }} as billing_period_end_raw,
        {{ focus_col(src, 'ChargePeriodStart') }} as charge_period_start_raw,
        {{ focus_col(src, 'ChargePeriodEnd') }} as charge_period_end_raw,
        {{ focus_col(src, 'ChargeCategory') }} as charge_category,
        {{ focus_col(src, 'ChargeClass') }} as charge_class,
        {{ focus_col(src, 'ChargeDescription') }} as charge_description,
        {{ focus_col(src, 'ChargeFrequency') }} as charge_frequency,
        {{ focus_col(src, 'BilledCost', 'decimal(38, 10)') }} as billed_cost,
        {{ focus_col(src, 'EffectiveCost', 'decimal(38, 10)') }} as effective_cost,
        {{ focus_col(src, 'ListCost', 'decimal(38, 10)') }} as list_cost,
        {{ focus_col(src, 'ContractedCost', 'decimal(38, 10)') }} as contracted_cost,
        {{ focus_col(src, 'ListUnitPrice', 'decimal(38, 10)') }} as list_unit_price,
        {{ focus_col(src, 'ContractedUnitPrice', 'decimal(38, 10)') }} as contracted_unit_price,
        {{ focus_col(src, 'BillingCurrency') }} as billing_currency,
        {{ focus_col(src, 'PricingCategory') }} as pricing_category,
        {{ focus_col(src, 'PricingQuantity', 'decimal(38, 10)') }} as pricing_quantity,
        {{ focus_col(src, 'PricingUnit') }} as pricing_unit,
        {{ focus_col(src, 'ConsumedQuantity|UsageQuantity', 'decimal(38, 10)') }} as consumed_quantity,
        {{ focus_col(src, 'ConsumedUnit|UsageUnit') }} as consumed_unit,
        {{ focus_col(src, 'ServiceName') }} as service_name,
        {{ focus_col(src, 'ServiceCategory') }} as service_category,
        {{ focus_col(src, 'ServiceSubcategory') }} as service_subcategory,
        {{ focus_col(src, 'RegionId|Region') }} as region_id,
        {{ focus_col(src, 'RegionName') }} as region_name,
        {{ focus_col(src, 'AvailabilityZone') }} as availability_zone,
        {{ focus_col(src, 'ResourceId') }} as resource_id,
        {{ focus_col(src, 'ResourceName') }} as resource_name,
        {{ focus_col(src, 'ResourceType') }} as resource_type,
        {{ focus_col(src, 'SkuId') }} as sku_id,
        {{ focus_col(src, 'SkuPriceId') }} as sku_price_id,
        {{ focus_col(src, 'SkuMeter') }} as sku_meter,
        {{ focus_col(src, 'CommitmentDiscountId') }} as commitment_discount_id,
        {{ focus_col(src, 'CommitmentDiscountName') }} as commitment_discount_name,
        {{ focus_col(src, 'CommitmentDiscountCategory') }} as commitment_discount_category,
        {{ focus_col(src, 'CommitmentDiscountType') }} as commitment_discount_type,
        {{ focus_col(src, 'CommitmentDiscountStatus') }} as commitment_discount_status,
        {{ focus_col(src, 'CommitmentDiscountQuantity', 'decimal(38, 10)') }} as commitment_discount_quantity,
        {{ focus_col(src, 'CommitmentDiscountUnit') }} as commitment_discount_unit,
        {{ focus_col(src, 'Tags') }} as tags_raw,
        {%- if ext_cols %}
        {%- set pairs = [] %}
        {%- for c in ext_cols %}{% do pairs.append((sql_string(c), sql_ident(c))) %}{% endfor %}
        {{ json_object_nonempty(pairs) }} as extension_columns_json
        {%- else %}
        cast(null as varchar) as extension_columns_json
        {%- endif %}
    from {{ src.relation }}
    where {{ lake_filter(src) }}
),

{% endset %}{{ ctes }}
final as (
    select
        {{ star_except(cte_query(ctes, 'rows'), ['billing_period_start_raw', 'billing_period_end_raw', 'charge_period_start_raw', 'charge_period_end_raw', 'tags_raw']) }},
        {{ any_timestamp('billing_period_start_raw') }} as billing_period_start,
        {{ any_timestamp('billing_period_end_raw') }} as billing_period_end,
        {{ any_timestamp('charge_period_start_raw') }} as charge_period_start,
        {{ any_timestamp('charge_period_end_raw') }} as charge_period_end,
        cast(date_trunc('month', {{ any_timestamp('billing_period_start_raw') }}) as date) as billing_period,
        -- FOCUS Tags is a JSON object; anything else (empty, malformed) is no tags
        case when json_valid(tags_raw) and json_type(tags_raw::json) = 'OBJECT' then tags_raw::json::varchar else '{}' end as tags_json
    from rows
)

select * from final
