{#- AI API spend billed by the AI providers themselves, as FOCUS charges for fct_charges: only the
    rows that count in totals (one source per day and provider, see stg_ai__charges), and never
    the providers whose AI usage arrives in a cloud bill (Bedrock, Azure OpenAI, Vertex AI: those
    lines are in fct_charges already, from the CUR / cost details / billing export). One charge per
    day, provider, model, token type and attribution; the team travels as a tag so attribution
    follows the same rules as every other charge. -#}
with

rows as (
    select * from {{ ref('stg_ai__charges') }}
    where counts_in_total
      and cost is not null
      and {{ ai_billed_directly('ai_provider') }}
),

final as (
    select
        ai_provider as provider,
        'ai_' || source as source,
        source_file,
        ai_row as source_row,
        'ai:' || source as schema_variant,
        case ai_provider when 'openai' then 'OpenAI' when 'anthropic' then 'Anthropic' else ai_provider end as provider_name,
        case ai_provider when 'openai' then 'OpenAI' when 'anthropic' then 'Anthropic' else ai_provider end as publisher_name,
        null::varchar as invoice_id,
        ai_provider as billing_account_id,
        ai_provider as billing_account_name,
        'Organization' as billing_account_type,
        nullif(project, '') as sub_account_id,
        nullif(project, '') as sub_account_name,
        case when nullif(project, '') is not null then 'Project' end as sub_account_type,
        cast(date_trunc('month', usage_date) as date) as billing_period,
        cast(date_trunc('month', usage_date) as timestamp) as billing_period_start,
        cast(date_trunc('month', usage_date) + interval '1 month' as timestamp) as billing_period_end,
        cast(usage_date as timestamp) as charge_period_start,
        cast(usage_date + interval '1 day' as timestamp) as charge_period_end,
        null::varchar as charge_class,
        upper(coalesce(nullif(currency, ''), 'USD')) as billing_currency,
        case ai_provider when 'openai' then 'OpenAI API' when 'anthropic' then 'Claude API' else ai_provider || ' API' end as service_name,
        'AI and Machine Learning' as service_category,
        'Generative AI' as service_subcategory,
        null::varchar as region_id,
        null::varchar as region_name,
        null::varchar as availability_zone,
        nullif(model, '') as resource_id,
        nullif(model, '') as resource_name,
        'Model' as resource_type,
        nullif(model, '') as sku_id,
        token_type as sku_meter,
        null::varchar as commitment_discount_id,
        null::varchar as commitment_discount_name,
        null::varchar as commitment_discount_category,
        null::varchar as commitment_discount_type,
        null::varchar as commitment_discount_status,
        null::decimal(38, 10) as commitment_discount_quantity,
        null::varchar as commitment_discount_unit,
        {{ json_object_text(["'team'", "nullif(team_id, 'unattributed')", "'agent'", "nullif(agent, '')"]) }} as tags_json,
        {{ json_object_text(["'x_token_type'", 'token_type', "'x_service_tier'", 'service_tier', "'x_cost_basis'", 'cost_basis']) }} as extension_columns_json,
        'ai:' || source_file || ':' || ai_row as charge_id,
        'Usage' as charge_category,
        coalesce(nullif(model, ''), nullif(line_item, ''), ai_provider) || ' ' || token_type || ' tokens' as charge_description,
        'Usage-Based' as charge_frequency,
        {{ money('cost') }} as billed_cost,
        {{ money('cost') }} as effective_cost,
        {{ money('coalesce(list_cost, cost)') }} as list_cost,
        {{ money('cost') }} as contracted_cost,
        null::decimal(38, 10) as list_unit_price,
        null::decimal(38, 10) as contracted_unit_price,
        'Standard' as pricing_category,
        cast(tokens as decimal(38, 10)) as pricing_quantity,
        'Tokens' as pricing_unit,
        cast(tokens as decimal(38, 10)) as consumed_quantity,
        'Tokens' as consumed_unit,
        null::varchar as sku_price_id
    from rows
)

select * from final
