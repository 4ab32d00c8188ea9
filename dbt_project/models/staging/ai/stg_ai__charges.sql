-- depends_on: {{ source('ai', 'ai_charges') }}
{#- The AI fact (ingest/ai/pipeline.py); typed and empty until AI files have been ingested. -#}
{%- set empty -%}
null::date as usage_date, null::varchar as source, null::varchar as source_file,
null::varchar as ai_provider, null::varchar as model, null::varchar as token_type,
null::bigint as tokens, null::varchar as service_tier, null::decimal(38, 12) as cost,
null::decimal(38, 12) as source_cost, null::decimal(38, 12) as list_cost,
null::varchar as cost_basis, null::decimal(38, 12) as cache_savings, null::varchar as currency,
null::boolean as counts_in_total, null::varchar as team_id, null::varchar as project,
null::varchar as api_key, null::varchar as user_name, null::varchar as end_user,
null::varchar as agent, null::varchar as session_id, null::varchar as request_id,
null::varchar as line_item, null::varchar as price_source, null::varchar as tags_json
{%- endset %}
select
    *,
    row_number() over (order by source_file, usage_date, model, token_type, request_id, tokens) as ai_row
from {{ ai_table('charges', empty) }}
