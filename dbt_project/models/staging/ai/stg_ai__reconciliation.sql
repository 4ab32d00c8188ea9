-- depends_on: {{ source('ai', 'ai_reconciliation') }}
{%- set empty -%}
null::date as usage_date, null::varchar as ai_provider, null::varchar as model,
null::decimal(38, 12) as priced_usage, null::decimal(38, 12) as source_cost,
null::decimal(38, 12) as difference, null::bigint as unpriced_tokens
{%- endset %}
select * from {{ ai_table('reconciliation', empty) }}
