{#- The AI fact with the team's business unit and group: every row of every source (the rows that
    count in totals flagged), for the cockpit's AI page and team-scoped reads. -#}
with

charges as (select * from {{ ref('stg_ai__charges') }}),

hierarchy as (
    select t.team_id, t.business_unit_id, bu.business_group_id
    from {{ org_config('teams') }} as t
    left join {{ org_config('business_units') }} as bu on bu.business_unit_id = t.business_unit_id
)

select
    {{ star_except(ref('stg_ai__charges'), ['ai_row'], 'c') }},
    coalesce(h.business_unit_id, 'unallocated') as business_unit_id,
    coalesce(h.business_group_id, 'unallocated') as business_group_id
from charges as c
left join hierarchy as h on h.team_id = c.team_id
