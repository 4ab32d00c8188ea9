{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_periods() }}"
) }}
{#- AI token usage already in the cloud bills (Bedrock, Azure OpenAI, Vertex AI / Gemini), found in
    fct_charges and parsed into model and token type (macros/ai_cloud.sql: the rules of
    ingest/ai/cloud.py classify, in SQL so that the model builds on every engine). These lines stay
    counted in fct_charges as billed; this model only labels them for the AI marts.
    Grain: one fct_charges usage line. Incremental by billing period like fct_charges: a run for some
    billing periods (rebuild_periods, macros/lake.sql) relabels only those periods' lines. -#}
{%- set bedrock = '^(.+?)-(batch-)?(cache-read-input-token-count|cache-write-input-token-count|cache-read-input-tokens|cache-write-input-tokens|input-tokens|output-tokens|input-token-count|output-token-count)(-\\w+)?$' -%}
{%- set azure_words = [' cached', '-cached', ' cchd', '-cchd', ' inp', '-inp', ' outp', '-outp', ' input', '-input', ' output', '-output'] -%}
{%- set gcp_words = [' cached', ' input', ' output'] -%}
with

candidates as (
    select
        charge_id, charge_date, billing_period, provider, lower(service_name) as service, consumed_quantity,
        consumed_unit, billed_cost, list_cost, billing_currency, team_id, business_unit_id,
        business_group_id,
        -- the meter, else the description: the text the bill names the usage with
        coalesce(nullif(trim(coalesce(sku_meter, '')), ''), trim(coalesce(charge_description, ''))) as meter_text
    from {{ ref('fct_charges') }}
    where charge_category = 'Usage'
      and (service_name ilike '%bedrock%' or service_name ilike '%openai%' or service_name ilike '%cognitive%'
           or service_name ilike '%vertex%' or service_name ilike '%gemini%')
      {% if is_incremental() %}
      and {{ billing_period_filter('billing_period') }}
      {% endif %}
),

texts as (
    select
        *,
        lower(meter_text) as low,
        -- Bedrock usage types carry a region prefix (USE1-, USW2-, EU-)
        lower(regexp_replace(meter_text, '^[A-Z]{2,4}[0-9]?-([^\s])', '\1')) as bedrock_text
    from candidates
    where meter_text <> '' and length(meter_text) <= 300
),

classified as (
    select
        *,
        case
            when provider = 'aws' and service like '%bedrock%'
                then case when {{ regexp_search('bedrock_text', bedrock) }} then 'bedrock' end
            when provider = 'azure' and (service like '%openai%' or service like '%cognitive%')
                then case when {{ ai_cloud_token_kind('low') }} is not null
                           and (low like '%token%' or {{ regexp_search('low', 'inp|outp') }}) then 'azure_openai' end
            when provider = 'gcp' and (service like '%vertex%' or service like '%gemini%')
                then case when {{ ai_cloud_token_kind('low') }} is not null
                           and {{ regexp_search('low', 'gemini|claude|llama|mistral|palm') }} then 'vertex_ai' end
        end as ai_provider
    from texts
),

labelled as (
    select
        *,
        case ai_provider
            when 'bedrock' then regexp_extract(bedrock_text, {{ sql_string(bedrock) }}, 1)
            when 'azure_openai' then {{ ai_cloud_model_before('meter_text', 'low', azure_words) }}
            else {{ ai_cloud_model_before('meter_text', 'low', gcp_words) }}
        end as model,
        case
            when ai_provider <> 'bedrock' then {{ ai_cloud_token_kind('low') }}
            when regexp_extract(bedrock_text, {{ sql_string(bedrock) }}, 3) like 'cache-read%' then 'cache_read'
            when regexp_extract(bedrock_text, {{ sql_string(bedrock) }}, 3) like 'cache-write%' then 'cache_write_5m'
            when regexp_extract(bedrock_text, {{ sql_string(bedrock) }}, 3) like 'output%' then 'output'
            else 'input'
        end as token_type
    from classified
    where ai_provider is not null
),

final as (
    select
        charge_id,
        charge_date as usage_date,
        billing_period,
        provider,
        ai_provider,
        model,
        token_type,
        cast(coalesce(consumed_quantity, 0) as double) * {{ ai_cloud_unit_multiplier('consumed_unit') }} as tokens,
        consumed_unit,
        cast(billed_cost as decimal(38, 10)) as cost,
        cast(list_cost as decimal(38, 10)) as list_cost,
        billing_currency,
        team_id,
        business_unit_id,
        business_group_id
    from labelled
)

select * from final
