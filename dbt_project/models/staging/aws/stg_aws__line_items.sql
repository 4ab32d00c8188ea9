-- depends_on: {{ source('lake', 'aws_billing') }}
{# One row per CUR line item, from every AWS export variant in the lake. Rename and cast only. #}
{% set cur2 = lake_source('aws', 'aws_cur2') %}
{% set athena = lake_source('aws', 'aws_cur_athena') %}
{% set legacy = lake_source('aws', 'aws_cur_legacy') %}

with

cur2 as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _schema_variant as schema_variant,
        {{ lake_col(cur2, 'identity_line_item_id') }} as line_item_id,
        {{ lake_col(cur2, 'bill_billing_period_start_date', 'timestamp') }} as billing_period_start_at,
        {{ lake_col(cur2, 'bill_billing_period_end_date', 'timestamp') }} as billing_period_end_at,
        {{ lake_col(cur2, 'bill_payer_account_id') }} as payer_account_id,
        {{ lake_col(cur2, 'bill_payer_account_name') }} as payer_account_name,
        {{ lake_col(cur2, 'bill_invoice_id') }} as invoice_id,
        {{ lake_col(cur2, 'bill_invoicing_entity') }} as invoicing_entity,
        {{ lake_col(cur2, 'bill_billing_entity') }} as billing_entity,
        {{ lake_col(cur2, 'line_item_usage_account_id') }} as usage_account_id,
        {{ lake_col(cur2, 'line_item_usage_account_name') }} as usage_account_name,
        {{ lake_col(cur2, 'line_item_line_item_type') }} as line_item_type,
        {{ lake_col(cur2, 'line_item_usage_start_date', 'timestamp') }} as usage_start_at,
        {{ lake_col(cur2, 'line_item_usage_end_date', 'timestamp') }} as usage_end_at,
        {{ lake_col(cur2, 'line_item_product_code') }} as product_code,
        {{ lake_col(cur2, 'line_item_usage_type') }} as usage_type,
        {{ lake_col(cur2, 'line_item_operation') }} as operation,
        {{ lake_col(cur2, 'line_item_availability_zone') }} as availability_zone,
        {{ lake_col(cur2, 'line_item_resource_id') }} as resource_id,
        {{ lake_col(cur2, 'line_item_usage_amount', 'decimal(38, 10)') }} as usage_amount,
        {{ lake_col(cur2, 'line_item_currency_code') }} as currency_code,
        {{ lake_col(cur2, 'line_item_unblended_rate', 'decimal(38, 10)') }} as unblended_rate,
        {{ lake_col(cur2, 'line_item_unblended_cost', 'decimal(38, 10)') }} as unblended_cost,
        {{ lake_col(cur2, 'pricing_public_on_demand_cost', 'decimal(38, 10)') }} as public_on_demand_cost,
        {{ lake_col(cur2, 'pricing_public_on_demand_rate', 'decimal(38, 10)') }} as public_on_demand_rate,
        {{ lake_col(cur2, 'pricing_unit') }} as pricing_unit,
        {{ lake_col(cur2, 'pricing_term') }} as pricing_term,
        {{ lake_col(cur2, 'pricing_rate_code') }} as rate_code,
        {{ lake_col(cur2, 'line_item_line_item_description') }} as line_item_description,
        {{ lake_col(cur2, 'line_item_legal_entity') }} as legal_entity,
        {% if 'product' in cur2.columns %}product['product_name']{% else %}null{% endif %} as product_name,
        {{ lake_col(cur2, 'product_product_family') }} as product_family,
        {{ lake_col(cur2, 'product_region_code') }} as region_code,
        {{ lake_col(cur2, 'product_instance_type') }} as instance_type,
        {{ lake_col(cur2, 'product_sku') }} as sku,
        {{ lake_col(cur2, 'savings_plan_savings_plan_a_r_n') }} as savings_plan_arn,
        {{ lake_col(cur2, 'savings_plan_savings_plan_effective_cost', 'decimal(38, 10)') }} as savings_plan_effective_cost,
        {{ lake_col(cur2, 'savings_plan_total_commitment_to_date', 'decimal(38, 10)') }} as savings_plan_total_commitment,
        {{ lake_col(cur2, 'savings_plan_used_commitment', 'decimal(38, 10)') }} as savings_plan_used_commitment,
        {{ lake_col(cur2, 'reservation_reservation_a_r_n') }} as reservation_arn,
        {{ lake_col(cur2, 'reservation_effective_cost', 'decimal(38, 10)') }} as reservation_effective_cost,
        {{ lake_col(cur2, 'reservation_unused_recurring_fee', 'decimal(38, 10)') }} as reservation_unused_recurring_fee,
        {{ lake_col(cur2, 'reservation_unused_quantity', 'decimal(38, 10)') }} as reservation_unused_quantity,
        {%- set cur2_tags = "coalesce(to_json(resource_tags)::varchar, '{}')" if 'resource_tags' in cur2.columns else "'{}'" %}
        {%- if 'cost_category' in cur2.columns %}
        -- cost categories survive as tags (cost_category/<name>), merged by DuckDB's JSON functions
        json_merge_patch({{ cur2_tags }}, coalesce(to_json(map_from_entries(list_transform(map_entries(cost_category),
            lambda e: {'key': 'cost_category/' || e.key, 'value': e.value})))::varchar, '{}'))::varchar as tags_json
        {%- else %}
        {{ cur2_tags }} as tags_json
        {%- endif %}
    from {{ cur2.relation }}
    where {{ lake_filter(cur2) }}
),

athena as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _schema_variant as schema_variant,
        {{ lake_col(athena, 'identity_line_item_id') }} as line_item_id,
        {{ lake_col(athena, 'bill_billing_period_start_date', 'timestamp') }} as billing_period_start_at,
        {{ lake_col(athena, 'bill_billing_period_end_date', 'timestamp') }} as billing_period_end_at,
        {{ lake_col(athena, 'bill_payer_account_id') }} as payer_account_id,
        {{ lake_col(athena, 'bill_payer_account_name') }} as payer_account_name,
        {{ lake_col(athena, 'bill_invoice_id') }} as invoice_id,
        {{ lake_col(athena, 'bill_invoicing_entity') }} as invoicing_entity,
        {{ lake_col(athena, 'bill_billing_entity') }} as billing_entity,
        {{ lake_col(athena, 'line_item_usage_account_id') }} as usage_account_id,
        {{ lake_col(athena, 'line_item_usage_account_name') }} as usage_account_name,
        {{ lake_col(athena, 'line_item_line_item_type') }} as line_item_type,
        {{ lake_col(athena, 'line_item_usage_start_date', 'timestamp') }} as usage_start_at,
        {{ lake_col(athena, 'line_item_usage_end_date', 'timestamp') }} as usage_end_at,
        {{ lake_col(athena, 'line_item_product_code') }} as product_code,
        {{ lake_col(athena, 'line_item_usage_type') }} as usage_type,
        {{ lake_col(athena, 'line_item_operation') }} as operation,
        {{ lake_col(athena, 'line_item_availability_zone') }} as availability_zone,
        {{ lake_col(athena, 'line_item_resource_id') }} as resource_id,
        {{ lake_col(athena, 'line_item_usage_amount', 'decimal(38, 10)') }} as usage_amount,
        {{ lake_col(athena, 'line_item_currency_code') }} as currency_code,
        {{ lake_col(athena, 'line_item_unblended_rate', 'decimal(38, 10)') }} as unblended_rate,
        {{ lake_col(athena, 'line_item_unblended_cost', 'decimal(38, 10)') }} as unblended_cost,
        {{ lake_col(athena, 'pricing_public_on_demand_cost', 'decimal(38, 10)') }} as public_on_demand_cost,
        {{ lake_col(athena, 'pricing_public_on_demand_rate', 'decimal(38, 10)') }} as public_on_demand_rate,
        {{ lake_col(athena, 'pricing_unit') }} as pricing_unit,
        {{ lake_col(athena, 'pricing_term') }} as pricing_term,
        {{ lake_col(athena, 'pricing_rate_code') }} as rate_code,
        {{ lake_col(athena, 'line_item_line_item_description') }} as line_item_description,
        {{ lake_col(athena, 'line_item_legal_entity') }} as legal_entity,
        nullif({{ lake_col(athena, 'product_product_name') }}, '') as product_name,
        {{ lake_col(athena, 'product_product_family') }} as product_family,
        coalesce(nullif({{ lake_col(athena, 'product_region_code') }}, ''), nullif({{ lake_col(athena, 'product_region') }}, '')) as region_code,
        {{ lake_col(athena, 'product_instance_type') }} as instance_type,
        {{ lake_col(athena, 'product_sku') }} as sku,
        {{ lake_col(athena, 'savings_plan_savings_plan_a_r_n') }} as savings_plan_arn,
        {{ lake_col(athena, 'savings_plan_savings_plan_effective_cost', 'decimal(38, 10)') }} as savings_plan_effective_cost,
        {{ lake_col(athena, 'savings_plan_total_commitment_to_date', 'decimal(38, 10)') }} as savings_plan_total_commitment,
        {{ lake_col(athena, 'savings_plan_used_commitment', 'decimal(38, 10)') }} as savings_plan_used_commitment,
        {{ lake_col(athena, 'reservation_reservation_a_r_n') }} as reservation_arn,
        {{ lake_col(athena, 'reservation_effective_cost', 'decimal(38, 10)') }} as reservation_effective_cost,
        {{ lake_col(athena, 'reservation_unused_recurring_fee', 'decimal(38, 10)') }} as reservation_unused_recurring_fee,
        {{ lake_col(athena, 'reservation_unused_quantity', 'decimal(38, 10)') }} as reservation_unused_quantity,
        {{ tag_columns_json(athena, 'resource_tags_', 'resource_tags_', [('cost_category_', 'cost_category/')]) }} as tags_json
    from {{ athena.relation }}
    where {{ lake_filter(athena) }}
),

legacy as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _schema_variant as schema_variant,
        {{ lake_col(legacy, 'identity/LineItemId') }} as line_item_id,
        {{ lake_col(legacy, 'bill/BillingPeriodStartDate', 'timestamp') }} as billing_period_start_at,
        {{ lake_col(legacy, 'bill/BillingPeriodEndDate', 'timestamp') }} as billing_period_end_at,
        {{ lake_col(legacy, 'bill/PayerAccountId') }} as payer_account_id,
        cast(null as varchar) as payer_account_name,
        {{ lake_col(legacy, 'bill/InvoiceId') }} as invoice_id,
        {{ lake_col(legacy, 'bill/InvoicingEntity') }} as invoicing_entity,
        {{ lake_col(legacy, 'bill/BillingEntity') }} as billing_entity,
        {{ lake_col(legacy, 'lineItem/UsageAccountId') }} as usage_account_id,
        cast(null as varchar) as usage_account_name,
        {{ lake_col(legacy, 'lineItem/LineItemType') }} as line_item_type,
        {{ lake_col(legacy, 'lineItem/UsageStartDate', 'timestamp') }} as usage_start_at,
        {{ lake_col(legacy, 'lineItem/UsageEndDate', 'timestamp') }} as usage_end_at,
        {{ lake_col(legacy, 'lineItem/ProductCode') }} as product_code,
        {{ lake_col(legacy, 'lineItem/UsageType') }} as usage_type,
        {{ lake_col(legacy, 'lineItem/Operation') }} as operation,
        {{ lake_col(legacy, 'lineItem/AvailabilityZone') }} as availability_zone,
        {{ lake_col(legacy, 'lineItem/ResourceId') }} as resource_id,
        {{ lake_col(legacy, 'lineItem/UsageAmount', 'decimal(38, 10)') }} as usage_amount,
        {{ lake_col(legacy, 'lineItem/CurrencyCode') }} as currency_code,
        {{ lake_col(legacy, 'lineItem/UnblendedRate', 'decimal(38, 10)') }} as unblended_rate,
        {{ lake_col(legacy, 'lineItem/UnblendedCost', 'decimal(38, 10)') }} as unblended_cost,
        {{ lake_col(legacy, 'pricing/publicOnDemandCost', 'decimal(38, 10)') }} as public_on_demand_cost,
        {{ lake_col(legacy, 'pricing/publicOnDemandRate', 'decimal(38, 10)') }} as public_on_demand_rate,
        {{ lake_col(legacy, 'pricing/unit') }} as pricing_unit,
        {{ lake_col(legacy, 'pricing/term') }} as pricing_term,
        {{ lake_col(legacy, 'pricing/RateCode') }} as rate_code,
        {{ lake_col(legacy, 'lineItem/LineItemDescription') }} as line_item_description,
        {{ lake_col(legacy, 'lineItem/LegalEntity') }} as legal_entity,
        nullif({{ lake_col(legacy, 'product/ProductName') }}, '') as product_name,
        {{ lake_col(legacy, 'product/productFamily') }} as product_family,
        coalesce(nullif({{ lake_col(legacy, 'product/regionCode') }}, ''), nullif({{ lake_col(legacy, 'product/region') }}, '')) as region_code,
        {{ lake_col(legacy, 'product/instanceType') }} as instance_type,
        {{ lake_col(legacy, 'product/sku') }} as sku,
        {{ lake_col(legacy, 'savingsPlan/SavingsPlanARN') }} as savings_plan_arn,
        {{ lake_col(legacy, 'savingsPlan/SavingsPlanEffectiveCost', 'decimal(38, 10)') }} as savings_plan_effective_cost,
        {{ lake_col(legacy, 'savingsPlan/TotalCommitmentToDate', 'decimal(38, 10)') }} as savings_plan_total_commitment,
        {{ lake_col(legacy, 'savingsPlan/UsedCommitment', 'decimal(38, 10)') }} as savings_plan_used_commitment,
        {{ lake_col(legacy, 'reservation/ReservationARN') }} as reservation_arn,
        {{ lake_col(legacy, 'reservation/EffectiveCost', 'decimal(38, 10)') }} as reservation_effective_cost,
        {{ lake_col(legacy, 'reservation/UnusedRecurringFee', 'decimal(38, 10)') }} as reservation_unused_recurring_fee,
        {{ lake_col(legacy, 'reservation/UnusedQuantity', 'decimal(38, 10)') }} as reservation_unused_quantity,
        {{ tag_columns_json(legacy, 'resourceTags/', 'resourceTags/', [('costCategory/', 'cost_category/')]) }} as tags_json
    from {{ legacy.relation }}
    where {{ lake_filter(legacy) }}
),

unioned as (
    select * from cur2
    union all by name
    select * from athena
    union all by name
    select * from legacy
),

final as (
    select
        source_file,
        source_row,
        schema_variant,
        nullif(line_item_id, '') as line_item_id,
        cast(date_trunc('month', billing_period_start_at) as date) as billing_period,
        billing_period_start_at,
        billing_period_end_at,
        -- account ids are 12-digit strings: restore leading zeros lost by tools that read numbers,
        -- never cut a longer id
        {{ pad_account_id('payer_account_id', 12) }} as payer_account_id,
        nullif(payer_account_name, '') as payer_account_name,
        nullif(invoice_id, '') as invoice_id,
        nullif(invoicing_entity, '') as invoicing_entity,
        nullif(billing_entity, '') as billing_entity,
        {{ pad_account_id('usage_account_id', 12) }} as usage_account_id,
        nullif(usage_account_name, '') as usage_account_name,
        line_item_type,
        usage_start_at,
        usage_end_at,
        product_code,
        nullif(usage_type, '') as usage_type,
        nullif(operation, '') as operation,
        nullif(availability_zone, '') as availability_zone,
        nullif(resource_id, '') as resource_id,
        usage_amount,
        coalesce(nullif(currency_code, ''), 'USD') as currency_code,
        unblended_rate,
        coalesce(unblended_cost, 0) as unblended_cost,
        public_on_demand_cost,
        public_on_demand_rate,
        nullif(pricing_unit, '') as pricing_unit,
        nullif(pricing_term, '') as pricing_term,
        nullif(rate_code, '') as rate_code,
        line_item_description,
        nullif(legal_entity, '') as legal_entity,
        product_name,
        nullif(product_family, '') as product_family,
        nullif(region_code, '') as region_code,
        nullif(instance_type, '') as instance_type,
        nullif(sku, '') as sku,
        nullif(savings_plan_arn, '') as savings_plan_arn,
        savings_plan_effective_cost,
        savings_plan_total_commitment,
        savings_plan_used_commitment,
        nullif(reservation_arn, '') as reservation_arn,
        reservation_effective_cost,
        reservation_unused_recurring_fee,
        reservation_unused_quantity,
        tags_json
    from unioned
)

select * from final
