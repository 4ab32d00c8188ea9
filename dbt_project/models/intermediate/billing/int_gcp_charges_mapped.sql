{#-
  GCP billing export rows -> FOCUS 1.2 charges. Each credit in credits[] becomes its own Credit
  charge on the same project, service and resource, so BilledCost sums to the invoice
  (sum(cost) + sum(credits.amount)).
-#}
{% set ctes %}
with

export_rows as (
    select * from {{ ref('stg_gcp__billing_export') }}
),

services as (
    select * from {{ ref('service_categories') }} where provider = 'gcp'
),

-- what a usage row and the credits attached to it share
shared as (
    select
        e.source_file,
        e.source_row,
        e.schema_variant,
        'Google Cloud' as provider_name,
        'Google Cloud' as publisher_name,
        cast(null as varchar) as invoice_id,
        e.billing_account_id,
        e.billing_account_id as billing_account_name,
        'Billing Account' as billing_account_type,
        e.project_id as sub_account_id,
        case when e.project_id is not null then coalesce(e.project_name, e.project_id) end as sub_account_name,
        case when e.project_id is not null then 'Project' end as sub_account_type,
        e.billing_period,
        cast(e.billing_period as timestamp) as billing_period_start,
        cast(e.billing_period + interval '1 month' as timestamp) as billing_period_end,
        e.usage_start_at as charge_period_start,
        e.usage_end_at as charge_period_end,
        cast(null as varchar) as charge_class,
        e.currency as billing_currency,
        coalesce(s.service_name, e.service_description) as service_name,
        coalesce(s.service_category, 'Other') as service_category,
        coalesce(s.service_subcategory, 'Other (Other)') as service_subcategory,
        e.region as region_id,
        coalesce(e.location_name, e.region) as region_name,
        e.zone as availability_zone,
        coalesce(e.resource_global_name, e.resource_name) as resource_id,
        case when coalesce(e.resource_global_name, e.resource_name) is not null
            then coalesce(e.resource_name, regexp_extract(e.resource_global_name, '([^/]+)$', 1)) end as resource_name,
        case when coalesce(e.resource_global_name, e.resource_name) is not null
            then coalesce(nullif(regexp_extract(e.resource_global_name, '/([a-zA-Z]+)/[^/]+$', 1), ''),
                          coalesce(s.service_name, e.service_description)) end as resource_type,
        e.sku_id,
        case when e.sku_id is not null then e.sku_description end as sku_meter,
        cast(null as varchar) as commitment_discount_id,
        cast(null as varchar) as commitment_discount_name,
        cast(null as varchar) as commitment_discount_category,
        cast(null as varchar) as commitment_discount_type,
        cast(null as varchar) as commitment_discount_status,
        cast(null as decimal(38, 10)) as commitment_discount_quantity,
        cast(null as varchar) as commitment_discount_unit,
        e.tags_json,
        -- inputs of the row-specific columns below (excluded from the output)
        case e.cost_type when 'regular' then 'Usage' when 'tax' then 'Tax' else 'Adjustment' end as _category,
        e.cost as _cost,
        e.cost_at_list as _cost_at_list,
        e.pricing_quantity as _pricing_quantity,
        e.pricing_unit as _pricing_unit,
        e.usage_amount as _usage_amount,
        e.usage_unit as _usage_unit,
        e.sku_description as _sku_description,
        e.credits as _credits
    from export_rows as e
    left join services as s on s.service_code = e.service_id
),

{% endset %}{{ ctes }}
{% set ctes_shared = ctes %}{% set ctes %}
charges as (
    select
        {{ star_except(cte_query(ctes_shared, 'shared'), ['_category', '_cost', '_cost_at_list', '_pricing_quantity', '_pricing_unit', '_usage_amount', '_usage_unit', '_sku_description', '_credits'], 'sh') }},
        'gcp:' || sh.source_file || ':' || sh.source_row as charge_id,
        sh._category as charge_category,
        sh._sku_description as charge_description,
        case when sh._category = 'Usage' then 'Usage-Based' else 'One-Time' end as charge_frequency,
        {{ money('sh._cost') }} as billed_cost,
        {{ money('sh._cost') }} as effective_cost,
        {{ money("case when sh._category = 'Usage' then coalesce(sh._cost_at_list, sh._cost) else sh._cost end") }} as list_cost,
        {{ money('sh._cost') }} as contracted_cost,
        case when sh._category = 'Usage' then
            cast(case when coalesce(sh._pricing_quantity, 0) = 0 then 0 else coalesce(sh._cost_at_list, sh._cost) / sh._pricing_quantity end as decimal(38, 10))
        end as list_unit_price,
        case when sh._category = 'Usage' then
            cast(case when coalesce(sh._pricing_quantity, 0) = 0 then 0 else sh._cost / sh._pricing_quantity end as decimal(38, 10))
        end as contracted_unit_price,
        case when sh._category = 'Usage' then 'Standard' end as pricing_category,
        case when sh._category = 'Usage' then coalesce(sh._pricing_quantity, 0) end as pricing_quantity,
        case when sh._category = 'Usage' then coalesce(sh._pricing_unit, sh._usage_unit, 'Units') end as pricing_unit,
        case when sh._category = 'Usage' then coalesce(sh._usage_amount, 0) end as consumed_quantity,
        case when sh._category = 'Usage' then coalesce(sh._usage_unit, 'Units') end as consumed_unit,
        case when sh._category = 'Usage' then sh.sku_id end as sku_price_id
    from shared as sh
),

credits_exploded as (
    select sh.*, {{ record_list_unnest('sh._credits') }} as _credit, {{ record_list_index('sh._credits') }} as _credit_index
    from shared as sh
    where len(sh._credits) > 0
),

credits as (
    select
        {{ star_except(cte_query(ctes_shared, 'shared'), ['_category', '_cost', '_cost_at_list', '_pricing_quantity', '_pricing_unit', '_usage_amount', '_usage_unit', '_sku_description', '_credits', '_credit', '_credit_index'], 'c') }},
        'gcp:' || c.source_file || ':' || c.source_row || ':credit:' || c._credit_index as charge_id,
        'Credit' as charge_category,
        coalesce({{ struct_get('c._credit', 'full_name') }}, {{ struct_get('c._credit', 'name') }}, {{ struct_get('c._credit', 'type') }}) as charge_description,
        'One-Time' as charge_frequency,
        {{ money(double_as_decimal(struct_get('c._credit', 'amount'))) }} as billed_cost,
        {{ money(double_as_decimal(struct_get('c._credit', 'amount'))) }} as effective_cost,
        {{ money(double_as_decimal(struct_get('c._credit', 'amount'))) }} as list_cost,
        {{ money(double_as_decimal(struct_get('c._credit', 'amount'))) }} as contracted_cost,
        cast(null as decimal(38, 10)) as list_unit_price,
        cast(null as decimal(38, 10)) as contracted_unit_price,
        cast(null as varchar) as pricing_category,
        cast(null as decimal(38, 10)) as pricing_quantity,
        cast(null as varchar) as pricing_unit,
        cast(null as decimal(38, 10)) as consumed_quantity,
        cast(null as varchar) as consumed_unit,
        cast(null as varchar) as sku_price_id
    from credits_exploded as c
),

{% endset %}{{ ctes }}
final as (
    {{ union_all_by_name(ctes_shared ~ ctes, ['charges', 'credits']) }}
)

select * from final
