{#-
  AWS CUR line items -> FOCUS 1.2 charges (snake_case). See int_billing.yml for the rules.
  SavingsPlanNegation lines are not charges in FOCUS: their cost cancels the on-demand cost of
  the covered usage, which FOCUS already bills at 0. Unused commitment (Savings Plan recurring
  fee vs. used commitment, RI unused recurring fee) becomes its own Usage row, status Unused.
-#}
{% set ctes %}
with

-- not materialized: both CTEs are read twice (charges, derived rows); materialising ~1M wide rows
-- costs more than scanning the lake twice, where the derived rows' filters push down
line_items as not materialized (
    select * from {{ ref('stg_aws__line_items') }}
),

services as (
    select * from {{ ref('service_categories') }} where provider = 'aws'
),

classified as not materialized (
    -- everything a charge and its derived unused-commitment row share, decided once
    select
        li.*,
        case
            when li.line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Usage'
            when li.line_item_type in ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') then 'Purchase'
            when li.line_item_type = 'Tax' then 'Tax'
            when li.line_item_type in ('Credit', 'EdpDiscount', 'BundledDiscount', 'PrivateRateDiscount', 'Discount', 'SavingsPlanNegation') then 'Credit'
            else 'Adjustment'
        end as charge_category,
        li.line_item_type in ('RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') as is_commitment_purchase,
        coalesce(li.savings_plan_arn, li.reservation_arn) as commitment_arn,
        'AWS' as provider_name,
        li.payer_account_id as billing_account_id,
        coalesce(li.payer_account_name, li.payer_account_id) as billing_account_name,
        'Management Account' as billing_account_type,
        li.usage_account_id as sub_account_id,
        coalesce(li.usage_account_name, li.usage_account_id) as sub_account_name,
        'Member Account' as sub_account_type,
        li.billing_period_start_at as billing_period_start,
        li.billing_period_end_at as billing_period_end,
        li.usage_start_at as charge_period_start,
        li.usage_end_at as charge_period_end,
        cast(null as varchar) as charge_class,
        li.currency_code as billing_currency,
        coalesce(s.service_name, li.product_name, li.product_code) as service_name,
        coalesce(s.service_category, 'Other') as service_category,
        coalesce(s.service_subcategory, 'Other (Other)') as service_subcategory,
        li.region_code as region_id,
        li.region_code as region_name,
        li.sku as sku_id,
        case when li.sku is not null then coalesce(li.usage_type, li.product_code) end as sku_meter,
        coalesce(li.savings_plan_arn, li.reservation_arn) as commitment_discount_id,
        regexp_extract(coalesce(li.savings_plan_arn, li.reservation_arn), '([^:/]+)$', 1) as commitment_discount_name
    from line_items as li
    left join services as s on s.service_code = li.product_code
    where li.line_item_type <> 'SavingsPlanNegation'
),

{% set shared = [
    'source_file', 'source_row', 'schema_variant', 'provider_name', 'invoice_id',
    'billing_account_id', 'billing_account_name', 'billing_account_type',
    'sub_account_id', 'sub_account_name', 'sub_account_type', 'billing_period',
    'billing_period_start', 'billing_period_end', 'charge_period_start', 'charge_period_end',
    'charge_class', 'billing_currency', 'service_name', 'service_category', 'service_subcategory',
    'region_id', 'region_name', 'sku_id', 'sku_meter', 'commitment_discount_id', 'commitment_discount_name',
] %}

charges as (
    select
        c.{{ shared | join(', c.') }},
        'aws:' || c.source_file || ':' || c.source_row as charge_id,
        case when c.billing_entity = 'AWS Marketplace' then coalesce(c.legal_entity, 'AWS Marketplace') else 'Amazon Web Services' end as publisher_name,
        c.charge_category,
        c.line_item_description as charge_description,
        case
            when c.charge_category = 'Usage' then 'Usage-Based'
            when c.is_commitment_purchase or c.product_code like 'AWSSupport%' then 'Recurring'
            else 'One-Time'
        end as charge_frequency,
        {{ money("case when c.line_item_type = 'SavingsPlanCoveredUsage' then 0 else c.unblended_cost end") }} as billed_cost,
        {{ money("""case
            when c.line_item_type = 'SavingsPlanCoveredUsage' then coalesce(c.savings_plan_effective_cost, 0)
            when c.line_item_type = 'DiscountedUsage' then coalesce(c.reservation_effective_cost, 0)
            when c.is_commitment_purchase then 0
            else c.unblended_cost
        end""") }} as effective_cost,
        {{ money("""case
            when c.charge_category in ('Usage', 'Purchase') then coalesce(c.public_on_demand_cost, c.unblended_cost)
            else c.unblended_cost
        end""") }} as list_cost,
        {{ money("""case
            when c.line_item_type = 'DiscountedUsage' then coalesce(c.public_on_demand_cost, 0)
            else c.unblended_cost
        end""") }} as contracted_cost,
        case when c.charge_category in ('Usage', 'Purchase') then coalesce(c.public_on_demand_rate, c.unblended_rate, 0) end as list_unit_price,
        case when c.charge_category in ('Usage', 'Purchase') then
            case when c.line_item_type = 'DiscountedUsage' then coalesce(c.public_on_demand_rate, 0) else coalesce(c.unblended_rate, c.public_on_demand_rate, 0) end
        end as contracted_unit_price,
        case
            when c.charge_category not in ('Usage', 'Purchase') then null
            when c.line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Committed'
            when c.usage_type like '%SpotUsage%' then 'Dynamic'
            else 'Standard'
        end as pricing_category,
        case when c.charge_category in ('Usage', 'Purchase') then coalesce(c.usage_amount, 0) end as pricing_quantity,
        case when c.charge_category in ('Usage', 'Purchase') then coalesce(c.pricing_unit, 'Units') end as pricing_unit,
        case when c.charge_category = 'Usage' then coalesce(c.usage_amount, 0) end as consumed_quantity,
        case when c.charge_category = 'Usage' then coalesce(c.pricing_unit, 'Units') end as consumed_unit,
        c.availability_zone,
        c.resource_id,
        case when c.resource_id is not null then regexp_extract(c.resource_id, '([^:/]+)$', 1) end as resource_name,
        case when c.resource_id is not null then coalesce(c.product_family, c.product_code) end as resource_type,
        case when c.charge_category in ('Usage', 'Purchase') then coalesce(c.rate_code, c.sku, c.product_code || ':' || coalesce(c.usage_type, '')) end as sku_price_id,
        case when c.savings_plan_arn is not null then 'Spend' when c.reservation_arn is not null then 'Usage' end as commitment_discount_category,
        case when c.savings_plan_arn is not null then 'Savings Plan' when c.reservation_arn is not null then 'Reserved Instance' end as commitment_discount_type,
        case when c.commitment_arn is not null and c.charge_category = 'Usage' then 'Used' end as commitment_discount_status,
        case
            when c.savings_plan_arn is not null and c.line_item_type = 'SavingsPlanCoveredUsage' then c.savings_plan_effective_cost
            when c.savings_plan_arn is not null then c.savings_plan_total_commitment
            when c.reservation_arn is not null then c.usage_amount
        end as commitment_discount_quantity,
        case when c.savings_plan_arn is not null then 'USD' when c.reservation_arn is not null then 'Hours' end as commitment_discount_unit,
        c.tags_json
    from classified as c
),

unused_commitments as (
    -- the part of a commitment fee that no usage consumed
    select
        c.{{ shared | join(', c.') }},
        'aws:' || c.source_file || ':' || c.source_row || ':unused' as charge_id,
        'Amazon Web Services' as publisher_name,
        'Usage' as charge_category,
        'Unused commitment: ' || coalesce(c.line_item_description, c.commitment_arn) as charge_description,
        'Usage-Based' as charge_frequency,
        {{ money(0) }} as billed_cost,
        {{ money("""case when c.line_item_type = 'RIFee' then c.reservation_unused_recurring_fee
             else c.savings_plan_total_commitment - c.savings_plan_used_commitment end""") }} as effective_cost,
        {{ money(0) }} as list_cost,
        {{ money(0) }} as contracted_cost,
        cast(0 as decimal(38, 10)) as list_unit_price,
        cast(0 as decimal(38, 10)) as contracted_unit_price,
        'Committed' as pricing_category,
        case when c.line_item_type = 'RIFee' then coalesce(c.reservation_unused_quantity, 0)
             else c.savings_plan_total_commitment - c.savings_plan_used_commitment end as pricing_quantity,
        case when c.line_item_type = 'RIFee' then 'Hours' else 'USD' end as pricing_unit,
        cast(null as decimal(38, 10)) as consumed_quantity,
        cast(null as varchar) as consumed_unit,
        cast(null as varchar) as availability_zone,
        cast(null as varchar) as resource_id,
        cast(null as varchar) as resource_name,
        cast(null as varchar) as resource_type,
        coalesce(c.rate_code, c.sku, c.product_code) as sku_price_id,
        case when c.line_item_type = 'RIFee' then 'Usage' else 'Spend' end as commitment_discount_category,
        case when c.line_item_type = 'RIFee' then 'Reserved Instance' else 'Savings Plan' end as commitment_discount_type,
        'Unused' as commitment_discount_status,
        case when c.line_item_type = 'RIFee' then coalesce(c.reservation_unused_quantity, 0)
             else c.savings_plan_total_commitment - c.savings_plan_used_commitment end as commitment_discount_quantity,
        case when c.line_item_type = 'RIFee' then 'Hours' else 'USD' end as commitment_discount_unit,
        '{}' as tags_json
    from classified as c
    where c.is_commitment_purchase
      and c.commitment_arn is not null
      and (
          (c.line_item_type = 'RIFee' and coalesce(c.reservation_unused_recurring_fee, 0) > 0)
          or (c.line_item_type = 'SavingsPlanRecurringFee'
              and coalesce(c.savings_plan_total_commitment, 0) - coalesce(c.savings_plan_used_commitment, 0) > 0)
      )
),

-- A partial ("not final") CUR month can carry Savings Plan covered usage without all of its
-- negation lines. FOCUS bills covered usage at 0, so the uncancelled part would vanish: it becomes
-- one Adjustment charge per account, period and currency, and the export reconciles to the cent.
negation_gaps as (
    select
        'aws:' || li.payer_account_id || ':' || strftime(li.billing_period, '%Y-%m') || ':' || li.currency_code || ':sp-negation-gap' as charge_id,
        min(li.source_file) as source_file,
        cast(null as bigint) as source_row,
        min(li.schema_variant) as schema_variant,
        'AWS' as provider_name,
        'Amazon Web Services' as publisher_name,
        li.payer_account_id as billing_account_id,
        li.payer_account_id as billing_account_name,
        'Payer Account' as billing_account_type,
        li.payer_account_id as sub_account_id,
        li.payer_account_id as sub_account_name,
        'Account' as sub_account_type,
        li.billing_period,
        cast(li.billing_period as timestamp) as billing_period_start,
        cast(li.billing_period + interval '1 month' as timestamp) as billing_period_end,
        cast(li.billing_period as timestamp) as charge_period_start,
        cast(li.billing_period + interval '1 month' as timestamp) as charge_period_end,
        li.currency_code as billing_currency,
        'Savings Plans' as service_name,
        'Other' as service_category,
        'Other (Other)' as service_subcategory,
        'Adjustment' as charge_category,
        'Savings Plan covered usage not cancelled by negation lines (partial or not-final export)' as charge_description,
        'One-Time' as charge_frequency,
        {{ money('sum(li.unblended_cost)') }} as billed_cost,
        {{ money('sum(li.unblended_cost)') }} as effective_cost,
        {{ money('sum(li.unblended_cost)') }} as list_cost,
        {{ money('sum(li.unblended_cost)') }} as contracted_cost,
        '{}' as tags_json
    from line_items as li
    where li.line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanNegation')
    group by li.payer_account_id, li.billing_period, li.currency_code
    having sum(li.unblended_cost) <> 0
),

{% endset %}{{ ctes }}
final as (
    {{ union_all_by_name(ctes, ['charges', 'unused_commitments', 'negation_gaps']) }}
)

select * from final
