-- depends_on: {{ source('lake', 'azure_billing') }}
{#- One row per cost/usage-details row, every schema generation (EA, MCA, pay-as-you-go; v1 and
    v2; camelCase or PascalCase; Cost, CostInBillingCurrency, PreTaxCost), actual or amortized
    (dataset_type). Columns are named by their aliases and matched case-insensitively. -#}
{% set src = lake_source('azure', 'azure_cost_details') %}

with

unioned as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _schema_variant as schema_variant,
        {% if src.columns %}_dataset_type{% else %}null{% endif %} as dataset_type,
        coalesce(nullif({{ lake_col(src, 'BillingAccountId') }}, ''), nullif({{ lake_col(src, 'BillingProfileId') }}, ''),
                 {{ lake_col(src, 'SubscriptionId|SubscriptionGuid') }}) as billing_account_id,
        {{ lake_col(src, 'BillingAccountName') }} as billing_account_name,
        {{ lake_col(src, 'BillingProfileId') }} as billing_profile_id,
        {{ lake_col(src, 'BillingPeriodStartDate') }} as billing_period_start_raw,
        {{ lake_col(src, 'BillingPeriodEndDate') }} as billing_period_end_raw,
        {{ lake_col(src, 'SubscriptionId|SubscriptionGuid') }} as subscription_id,
        {{ lake_col(src, 'SubscriptionName') }} as subscription_name,
        {{ lake_col(src, 'Date|UsageDateTime|UsageDate|usageStart') }} as charge_date_raw,
        {{ lake_col(src, 'ProductName|Product') }} as product,
        {{ lake_col(src, 'PartNumber') }} as part_number,
        {{ lake_col(src, 'MeterId') }} as meter_id,
        {{ lake_col(src, 'MeterCategory|ServiceName') }} as meter_category,
        {{ lake_col(src, 'MeterSubCategory|MeterSubcategory|ServiceTier') }} as meter_subcategory,
        {{ lake_col(src, 'MeterName|Meter') }} as meter_name,
        {{ lake_col(src, 'MeterRegion') }} as meter_region,
        {{ lake_col(src, 'Quantity|UsageQuantity|ConsumedQuantity', 'decimal(38, 10)') }} as quantity,
        {{ lake_col(src, 'EffectivePrice|ResourceRate', 'decimal(38, 10)') }} as effective_price,
        {{ lake_col(src, 'UnitPrice', 'decimal(38, 10)') }} as unit_price,
        {{ lake_col(src, 'PayGPrice', 'decimal(38, 10)') }} as payg_price,
        {{ lake_col(src, 'CostInBillingCurrency|Cost|PreTaxCost', 'decimal(38, 10)') }} as cost,
        -- which generation wrote the row: EA (Cost), MCA/EA v2 (CostInBillingCurrency), v1 (PreTaxCost)
        case when {{ lake_col(src, 'CostInBillingCurrency') }} is not null then 'mca'
             when {{ lake_col(src, 'Cost') }} is not null then 'ea'
             else 'v1' end as schema_generation,
        {{ lake_col(src, 'BillingCurrencyCode|BillingCurrency|Currency') }} as billing_currency,
        {{ lake_col(src, 'ResourceLocation|ResourceLocationNormalized|Location') }} as resource_location,
        {{ lake_col(src, 'AvailabilityZone') }} as availability_zone,
        {{ lake_col(src, 'ConsumedService') }} as consumed_service,
        {{ lake_col(src, 'ResourceId|InstanceId') }} as resource_id,
        {{ lake_col(src, 'ResourceName') }} as resource_name,
        {{ lake_col(src, 'ResourceGroup|ResourceGroupName') }} as resource_group,
        {{ lake_col(src, 'Tags') }} as tags_raw,
        {{ lake_col(src, 'UnitOfMeasure') }} as unit_of_measure,
        {{ lake_col(src, 'ReservationId') }} as reservation_id,
        {{ lake_col(src, 'ReservationName') }} as reservation_name,
        {{ lake_col(src, 'benefitId') }} as benefit_id,
        {{ lake_col(src, 'benefitName') }} as benefit_name,
        {{ lake_col(src, 'PublisherName') }} as publisher_name,
        {{ lake_col(src, 'PublisherType') }} as publisher_type,
        {{ lake_col(src, 'ChargeType') }} as charge_type,
        {{ lake_col(src, 'Frequency') }} as frequency,
        {{ lake_col(src, 'PricingModel') }} as pricing_model,
        {{ lake_col(src, 'InvoiceId') }} as invoice_id
    from {{ src.relation }}
    where {{ lake_filter(src) }}
),

final as (
    select
        source_file,
        source_row,
        schema_variant,
        schema_generation,
        coalesce(dataset_type, 'actual') as dataset_type,
        billing_account_id,
        nullif(billing_account_name, '') as billing_account_name,
        nullif(billing_profile_id, '') as billing_profile_id,
        cast(date_trunc('month', coalesce(try_strptime(billing_period_start_raw, array['%m/%d/%Y', '%Y-%m-%d', '%m/%d/%y']), {{ try_cast_as('billing_period_start_raw', 'timestamp') }},
                                        try_strptime(charge_date_raw, array['%m/%d/%Y', '%Y-%m-%d', '%m/%d/%y']), {{ try_cast_as('charge_date_raw', 'timestamp') }})) as date) as billing_period,
        cast(coalesce(try_strptime(billing_period_end_raw, array['%m/%d/%Y', '%Y-%m-%d', '%m/%d/%y']), {{ try_cast_as('billing_period_end_raw', 'timestamp') }}) as date) as billing_period_last_day,
        lower(subscription_id) as subscription_id,
        nullif(subscription_name, '') as subscription_name,
        cast(coalesce(try_strptime(charge_date_raw, array['%m/%d/%Y', '%Y-%m-%d', '%m/%d/%y']), {{ try_cast_as('charge_date_raw', 'timestamp') }}) as date) as charge_date,
        nullif(product, '') as product,
        nullif(part_number, '') as part_number,
        nullif(meter_id, '') as meter_id,
        nullif(meter_category, '') as meter_category,
        nullif(meter_subcategory, '') as meter_subcategory,
        nullif(meter_name, '') as meter_name,
        nullif(meter_region, '') as meter_region,
        quantity,
        effective_price,
        unit_price,
        payg_price,
        coalesce(cost, 0) as cost,
        coalesce(nullif(billing_currency, ''), 'USD') as billing_currency,
        lower(replace(nullif(resource_location, ''), ' ', '')) as resource_location,
        nullif(availability_zone, '') as availability_zone,
        nullif(consumed_service, '') as consumed_service,
        nullif(resource_id, '') as resource_id,
        nullif(resource_name, '') as resource_name,
        nullif(resource_group, '') as resource_group,
        -- EA writes tags as "k": "v" pairs without braces; newer exports as a JSON object
        case
            when nullif(trim(tags_raw), '') is null then '{}'
            when starts_with(trim(tags_raw), chr(123)) then coalesce({{ try_cast_as('trim(tags_raw)', 'json') }}::varchar, '{}')
            else coalesce({{ try_cast_as("'{' || trim(tags_raw) || '}'", 'json') }}::varchar, '{}')
        end as tags_json,
        nullif(unit_of_measure, '') as unit_of_measure,
        nullif(reservation_id, '') as reservation_id,
        nullif(reservation_name, '') as reservation_name,
        nullif(benefit_id, '') as benefit_id,
        nullif(benefit_name, '') as benefit_name,
        nullif(publisher_name, '') as publisher_name,
        nullif(publisher_type, '') as publisher_type,
        coalesce(nullif(charge_type, ''), 'Usage') as charge_type,  -- usage details v1 carry usage only
        nullif(frequency, '') as frequency,
        coalesce(nullif(pricing_model, ''), 'OnDemand') as pricing_model,
        nullif(invoice_id, '') as invoice_id
    from unioned
)

select * from final
