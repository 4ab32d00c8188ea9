{#- Cost per session (gateway session id, OTLP gen_ai.conversation.id), same one-source-per-day rule
    as fct_ai_agents_daily: the most expensive sessions and what they ran. -#}
with

detail as (
    select *, case source when 'litellm' then 1 when 'otlp' then 2 else 3 end as detail_rank
    from {{ ref('fct_ai_charges') }}
    where coalesce(session_id, '') <> '' and cost is not null
),

best as (
    select usage_date, ai_provider, min(detail_rank) as detail_rank
    from detail
    group by 1, 2
)

select
    d.session_id,
    coalesce(nullif(any_value(d.agent), ''), 'unnamed') as agent,
    any_value(d.team_id) as team_id,
    any_value(d.business_unit_id) as business_unit_id,
    any_value(d.business_group_id) as business_group_id,
    min(d.usage_date) as first_date,
    max(d.usage_date) as last_date,
    string_agg(distinct d.model, ', ' order by d.model) as models,
    sum(d.tokens) as tokens,
    cast(sum(d.cost) as decimal(38, 10)) as cost,
    count(distinct nullif(d.request_id, '')) as calls
from detail as d
join best as b on b.usage_date = d.usage_date and b.ai_provider = d.ai_provider and b.detail_rank = d.detail_rank
group by d.session_id
