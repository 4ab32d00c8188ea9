{#-
  GCP billing export rows -> FOCUS 1.2 charges. Each credit in credits[] becomes its own Credit
  charge on the same project/service/resource, so BilledCost sums to the invoice
  (sum(cost) + sum(credits.amount)).
-#}
with

export_rows as (
    select * from {{ ref('stg_gcp__billing_export') }}
),

services as (
    select * from {{ ref('service_categories') }} where provider = 'gcp'
),

base as (
    select
        e.*,
        coalesce(s.service_name, e.service_description) as mapped_service_name,
        coalesce(s.service_category, 'Other') as mapped_service_category,
        coalesce(s.service_subcategory, 'Other (Other)') as mapped_service_subcategory,
        case e.cost_type
            when 'regular' then 'Usage'
            when 'tax' then 'Tax'
            else 'Adjustment'
        end as row_charge_category
    from export_rows as e
    left join services as s on s.service_code = e.service_id
),

charges as (
    select
        'gcp:' || b.source_file || ':' || b.source_row as charge_id,
        b.source_file,
        b.source_row,
        b.schema_variant,
        'Google Cloud' as provider_name,
        'Google Cloud' as publisher_name,
        'Google' as invoice_issuer_name,
        cast(null as varchar) as invoice_id,
        b.billing_account_id,
        b.billing_account_id as billing_account_name,
        'Billing Account' as billing_account_type,
        b.project_id as sub_account_id,
        case when b.project_id is not null then coalesce(b.project_name, b.project_id) end as sub_account_name,
        case when b.project_id is not null then 'Project' end as sub_account_type,
        b.billing_period,
        cast(b.billing_period as timestamp) as billing_period_start,
        cast(b.billing_period + interval 1 month as timestamp) as billing_period_end,
        b.usage_start_at as charge_period_start,
        b.usage_end_at as charge_period_end,
        b.row_charge_category as charge_category,
        cast(null as varchar) as charge_class,
        b.sku_description as charge_description,
        case when b.row_charge_category = 'Usage' then 'Usage-Based' else 'One-Time' end as charge_frequency,
        {{ money('b.cost') }} as billed_cost,
        {{ money('b.cost') }} as effective_cost,
        {{ money("case when b.row_charge_category = 'Usage' then coalesce(b.cost_at_list, b.cost) else b.cost end") }} as list_cost,
        {{ money('b.cost') }} as contracted_cost,
        case when b.row_charge_category = 'Usage' then
            cast(case when coalesce(b.pricing_quantity, 0) = 0 then 0 else coalesce(b.cost_at_list, b.cost) / b.pricing_quantity end as decimal(38, 10))
        end as list_unit_price,
        case when b.row_charge_category = 'Usage' then
            cast(case when coalesce(b.pricing_quantity, 0) = 0 then 0 else b.cost / b.pricing_quantity end as decimal(38, 10))
        end as contracted_unit_price,
        b.currency as billing_currency,
        case when b.row_charge_category = 'Usage' then 'Standard' end as pricing_category,
        case when b.row_charge_category = 'Usage' then coalesce(b.pricing_quantity, 0) end as pricing_quantity,
        case when b.row_charge_category = 'Usage' then coalesce(b.pricing_unit, b.usage_unit, 'Units') end as pricing_unit,
        case when b.row_charge_category = 'Usage' then coalesce(b.usage_amount, 0) end as consumed_quantity,
        case when b.row_charge_category = 'Usage' then coalesce(b.usage_unit, 'Units') end as consumed_unit,
        b.mapped_service_name as service_name,
        b.mapped_service_category as service_category,
        b.mapped_service_subcategory as service_subcategory,
        b.region as region_id,
        coalesce(b.location_name, b.region) as region_name,
        b.zone as availability_zone,
        coalesce(b.resource_global_name, b.resource_name) as resource_id,
        case when coalesce(b.resource_global_name, b.resource_name) is not null then coalesce(b.resource_name, regexp_extract(b.resource_global_name, '([^/]+)$', 1)) end as resource_name,
        case when coalesce(b.resource_global_name, b.resource_name) is not null
            then coalesce(nullif(regexp_extract(b.resource_global_name, '/([a-zA-Z]+)/[^/]+$', 1), ''), b.mapped_service_name) end as resource_type,
        b.sku_id,
        case when b.row_charge_category = 'Usage' then b.sku_id end as sku_price_id,
        case when b.sku_id is not null then b.sku_description end as sku_meter,
        cast(null as varchar) as commitment_discount_id,
        cast(null as varchar) as commitment_discount_name,
        cast(null as varchar) as commitment_discount_category,
        cast(null as varchar) as commitment_discount_type,
        cast(null as varchar) as commitment_discount_status,
        cast(null as decimal(38, 10)) as commitment_discount_quantity,
        cast(null as varchar) as commitment_discount_unit,
        b.tags_json
    from base as b
),

credits_exploded as (
    select
        b.*,
        unnest(b.credits) as credit,
        generate_subscripts(b.credits, 1) as credit_index
    from base as b
    where len(b.credits) > 0
),

credits as (
    select
        'gcp:' || b.source_file || ':' || b.source_row || ':credit:' || b.credit_index as charge_id,
        b.source_file,
        b.source_row,
        b.schema_variant,
        'Google Cloud' as provider_name,
        'Google Cloud' as publisher_name,
        'Google' as invoice_issuer_name,
        cast(null as varchar) as invoice_id,
        b.billing_account_id,
        b.billing_account_id as billing_account_name,
        'Billing Account' as billing_account_type,
        b.project_id as sub_account_id,
        case when b.project_id is not null then coalesce(b.project_name, b.project_id) end as sub_account_name,
        case when b.project_id is not null then 'Project' end as sub_account_type,
        b.billing_period,
        cast(b.billing_period as timestamp) as billing_period_start,
        cast(b.billing_period + interval 1 month as timestamp) as billing_period_end,
        b.usage_start_at as charge_period_start,
        b.usage_end_at as charge_period_end,
        'Credit' as charge_category,
        cast(null as varchar) as charge_class,
        coalesce(b.credit.full_name, b.credit.name, b.credit.type) as charge_description,
        'One-Time' as charge_frequency,
        {{ money('b.credit.amount') }} as billed_cost,
        {{ money('b.credit.amount') }} as effective_cost,
        {{ money('b.credit.amount') }} as list_cost,
        {{ money('b.credit.amount') }} as contracted_cost,
        cast(null as decimal(38, 10)) as list_unit_price,
        cast(null as decimal(38, 10)) as contracted_unit_price,
        b.currency as billing_currency,
        cast(null as varchar) as pricing_category,
        cast(null as decimal(38, 10)) as pricing_quantity,
        cast(null as varchar) as pricing_unit,
        cast(null as decimal(38, 10)) as consumed_quantity,
        cast(null as varchar) as consumed_unit,
        b.mapped_service_name as service_name,
        b.mapped_service_category as service_category,
        b.mapped_service_subcategory as service_subcategory,
        b.region as region_id,
        coalesce(b.location_name, b.region) as region_name,
        b.zone as availability_zone,
        coalesce(b.resource_global_name, b.resource_name) as resource_id,
        case when coalesce(b.resource_global_name, b.resource_name) is not null then coalesce(b.resource_name, regexp_extract(b.resource_global_name, '([^/]+)$', 1)) end as resource_name,
        case when coalesce(b.resource_global_name, b.resource_name) is not null
            then coalesce(nullif(regexp_extract(b.resource_global_name, '/([a-zA-Z]+)/[^/]+$', 1), ''), b.mapped_service_name) end as resource_type,
        b.sku_id,
        cast(null as varchar) as sku_price_id,
        case when b.sku_id is not null then b.sku_description end as sku_meter,
        cast(null as varchar) as commitment_discount_id,
        cast(null as varchar) as commitment_discount_name,
        cast(null as varchar) as commitment_discount_category,
        cast(null as varchar) as commitment_discount_type,
        cast(null as varchar) as commitment_discount_status,
        cast(null as decimal(38, 10)) as commitment_discount_quantity,
        cast(null as varchar) as commitment_discount_unit,
        b.tags_json
    from credits_exploded as b
),

final as (
    select * from charges
    union all by name
    select * from credits
)

select * from final
