{#- AI spend per day, provider, model and team: the direct API spend that counts in totals plus the
    AI lines of the cloud bills (billed_via says which); tokens by type, cost per 1k tokens and
    what prompt caching saved against the input price. -#}
with

api as (
    select
        c.usage_date, c.ai_provider, c.model, c.team_id, c.business_unit_id, c.business_group_id,
        'api' as billed_via, c.currency as billing_currency, c.token_type, c.tokens,
        c.cost, coalesce(c.list_cost, c.cost) as list_cost, c.cache_savings
    from {{ ref('fct_ai_charges') }} as c
    where c.counts_in_total and c.cost is not null
),

cloud as (
    select
        usage_date, ai_provider, model, team_id, business_unit_id, business_group_id,
        'cloud_bill' as billed_via, billing_currency, token_type, cast(tokens as bigint) as tokens,
        cast(cost as decimal(38, 12)), cast(list_cost as decimal(38, 12)), cast(0 as decimal(38, 12))
    from {{ ref('fct_ai_cloud_lines') }}
),

lines as (select * from api union all select * from cloud)

select
    usage_date,
    ai_provider,
    model,
    team_id,
    business_unit_id,
    business_group_id,
    billed_via,
    billing_currency,
    sum(tokens) as tokens,
    sum(tokens) filter (where token_type = 'input') as input_tokens,
    sum(tokens) filter (where token_type = 'output') as output_tokens,
    sum(tokens) filter (where token_type = 'cache_read') as cache_read_tokens,
    sum(tokens) filter (where token_type like 'cache_write%') as cache_write_tokens,
    cast(sum(cost) as decimal(38, 10)) as cost,
    cast(sum(list_cost) as decimal(38, 10)) as list_cost,
    cast(sum(cache_savings) as decimal(38, 10)) as cache_savings,
    case when sum(tokens) > 0 then cast(sum(cost) * 1000 / sum(tokens) as decimal(38, 10)) end as cost_per_1k_tokens
from lines
{{ group_by_all(8) }}
