{#- Cost per agent per day from the sources that see agents (gateway logs, OTLP spans): one source
    per day and provider (the gateway when it has the day, else the spans), so a call seen by
    both counts once. The provider cost reports remain the totals (fct_ai_costs_daily). -#}
with

detail as (
    select *, case source when 'litellm' then 1 when 'otlp' then 2 else 3 end as detail_rank
    from {{ ref('fct_ai_charges') }}
    where (coalesce(agent, '') <> '' or coalesce(session_id, '') <> '') and cost is not null
),

best as (
    select usage_date, ai_provider, min(detail_rank) as detail_rank
    from detail
    group by 1, 2
)

select
    d.usage_date,
    coalesce(nullif(d.agent, ''), 'unnamed') as agent,
    d.team_id,
    d.business_unit_id,
    d.business_group_id,
    d.ai_provider,
    d.model,
    d.source,
    sum(d.tokens) as tokens,
    cast(sum(d.cost) as decimal(38, 10)) as cost,
    count(distinct nullif(d.request_id, '')) as calls,
    count(distinct nullif(d.session_id, '')) as sessions
from detail as d
join best as b on b.usage_date = d.usage_date and b.ai_provider = d.ai_provider and b.detail_rank = d.detail_rank
{{ group_by_all(8) }}
