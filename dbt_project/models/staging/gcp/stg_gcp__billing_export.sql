-- depends_on: {{ source('lake', 'gcp_billing') }}
{# One row per billing export row (nested or flattened CSV). Credits stay a list here. #}
{% set nested = lake_source('gcp', 'gcp_nested') %}
{% set flat = lake_source('gcp', 'gcp_flat') %}
{% set kv = '[{"key":"VARCHAR","value":"VARCHAR"}]' %}
{% set credits_shape = '[{"name":"VARCHAR","amount":"DOUBLE","full_name":"VARCHAR","id":"VARCHAR","type":"VARCHAR"}]' %}

{% set ctes %}
with

nested as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _schema_variant as schema_variant,
        {{ lake_col(nested, 'billing_account_id') }} as billing_account_id,
        {% if nested.columns %}{{ struct_get('service', 'id') }}{% else %}null{% endif %} as service_id,
        {% if nested.columns %}{{ struct_get('service', 'description') }}{% else %}null{% endif %} as service_description,
        {% if nested.columns %}{{ struct_get('sku', 'id') }}{% else %}null{% endif %} as sku_id,
        {% if nested.columns %}{{ struct_get('sku', 'description') }}{% else %}null{% endif %} as sku_description,
        {{ lake_col(nested, 'usage_start_time', 'timestamptz') }} as usage_start_at,
        {{ lake_col(nested, 'usage_end_time', 'timestamptz') }} as usage_end_at,
        {% if nested.columns %}{{ struct_get('project', 'id') }}{% else %}null{% endif %} as project_id,
        {% if nested.columns %}{{ struct_get('project', 'name') }}{% else %}null{% endif %} as project_name,
        {% if nested.columns %}{{ nested_json('labels') }}{% else %}null{% endif %} as labels_raw,
        {% if nested.columns %}{{ struct_get('location', 'region') }}{% else %}null{% endif %} as region,
        {% if nested.columns %}{{ struct_get('location', 'location') }}{% else %}null{% endif %} as location_name,
        {% if nested.columns %}{{ struct_get('location', 'zone') }}{% else %}null{% endif %} as zone,
        {% if 'resource' in nested.columns %}{{ struct_get('resource', 'name') }}{% else %}null{% endif %} as resource_name,
        {% if 'resource' in nested.columns %}{{ struct_get('resource', 'global_name') }}{% else %}null{% endif %} as resource_global_name,
        {{ lake_col(nested, 'cost', 'decimal(38, 10)') }} as cost,
        {{ lake_col(nested, 'cost_at_list', 'decimal(38, 10)') }} as cost_at_list,
        {{ lake_col(nested, 'currency') }} as currency,
        {% if nested.columns %}{{ double_as_decimal(struct_get('usage', 'amount')) }}{% else %}null{% endif %} as usage_amount,
        {% if nested.columns %}{{ struct_get('usage', 'unit') }}{% else %}null{% endif %} as usage_unit,
        {% if nested.columns %}{{ double_as_decimal(struct_get('usage', 'amount_in_pricing_units')) }}{% else %}null{% endif %} as pricing_quantity,
        {% if nested.columns %}{{ struct_get('usage', 'pricing_unit') }}{% else %}null{% endif %} as pricing_unit,
        {% if nested.columns %}{{ nested_json('credits') }}{% else %}null{% endif %} as credits_raw,
        {% if nested.columns %}cast({{ struct_get('invoice', 'month') }} as varchar){% else %}null{% endif %} as invoice_month,
        {{ lake_col(nested, 'cost_type') }} as cost_type
    from {{ nested.relation }}
    where {{ lake_filter(nested) }}
),

flat as (
    select
        _source_file as source_file,
        _source_row as source_row,
        _schema_variant as schema_variant,
        {{ lake_col(flat, 'billing_account_id') }} as billing_account_id,
        {{ lake_col(flat, 'service.id') }} as service_id,
        {{ lake_col(flat, 'service.description') }} as service_description,
        {{ lake_col(flat, 'sku.id') }} as sku_id,
        {{ lake_col(flat, 'sku.description') }} as sku_description,
        {{ lake_col(flat, 'usage_start_time', 'timestamptz') }} as usage_start_at,
        {{ lake_col(flat, 'usage_end_time', 'timestamptz') }} as usage_end_at,
        {{ lake_col(flat, 'project.id') }} as project_id,
        {{ lake_col(flat, 'project.name') }} as project_name,
        {{ python_literal_to_json(lake_col(flat, 'labels')) }} as labels_raw,
        {{ lake_col(flat, 'location.region') }} as region,
        {{ lake_col(flat, 'location.location') }} as location_name,
        {{ lake_col(flat, 'location.zone') }} as zone,
        {{ lake_col(flat, 'resource.name') }} as resource_name,
        {{ lake_col(flat, 'resource.global_name') }} as resource_global_name,
        {{ lake_col(flat, 'cost', 'decimal(38, 10)') }} as cost,
        {{ lake_col(flat, 'cost_at_list', 'decimal(38, 10)') }} as cost_at_list,
        {{ lake_col(flat, 'currency') }} as currency,
        {{ lake_col(flat, 'usage.amount', 'decimal(38, 10)') }} as usage_amount,
        {{ lake_col(flat, 'usage.unit') }} as usage_unit,
        {{ lake_col(flat, 'usage.amount_in_pricing_units', 'decimal(38, 10)') }} as pricing_quantity,
        {{ lake_col(flat, 'usage.pricing_unit') }} as pricing_unit,
        {{ python_literal_to_json(lake_col(flat, 'credits')) }} as credits_raw,
        {{ lake_col(flat, 'invoice.month') }} as invoice_month,
        {{ lake_col(flat, 'cost_type') }} as cost_type
    from {{ flat.relation }}
    where {{ lake_filter(flat) }}
),

{% endset %}{{ ctes }}
unioned as (
    {{ union_all_by_name(ctes, ['nested', 'flat']) }}
),

final as (
    select
        source_file,
        source_row,
        schema_variant,
        billing_account_id,
        try_strptime(invoice_month, '%Y%m')::date as billing_period,
        service_id,
        service_description,
        sku_id,
        sku_description,
        cast(usage_start_at as timestamp) as usage_start_at,
        cast(usage_end_at as timestamp) as usage_end_at,
        nullif(project_id, '') as project_id,
        nullif(project_name, '') as project_name,
        coalesce(
            {{ kv_list_json_object('labels_raw') }}, '{}'
        ) as tags_json,
        nullif(region, '') as region,
        nullif(location_name, '') as location_name,
        nullif(zone, '') as zone,
        nullif(resource_name, '') as resource_name,
        nullif(resource_global_name, '') as resource_global_name,
        coalesce(cost, 0) as cost,
        cost_at_list,
        coalesce(nullif(currency, ''), 'USD') as currency,
        usage_amount,
        nullif(usage_unit, '') as usage_unit,
        pricing_quantity,
        nullif(pricing_unit, '') as pricing_unit,
        {{ record_list('credits_raw', credits_shape) }} as credits,
        lower(coalesce(cost_type, 'regular')) as cost_type
    from unioned
)

select * from final
