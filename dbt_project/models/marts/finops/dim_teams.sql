{#- Teams with their business unit and business group, plus the 'unallocated' bucket. -#}
with

teams as (select * from {{ org_config('teams') }}),
units as (select * from {{ org_config('business_units') }}),
groups as (select * from {{ org_config('business_groups') }}),

joined as (
    select
        t.team_id,
        t.team_name,
        t.business_unit_id,
        u.business_unit_name,
        u.business_group_id,
        g.business_group_name,
        t.owner_email,
        t.cost_center
    from teams as t
    left join units as u on u.business_unit_id = t.business_unit_id
    left join groups as g on g.business_group_id = u.business_group_id
),

final as (
    select * from joined
    union all
    select 'unallocated', 'Unallocated', 'unallocated', 'Unallocated', 'unallocated', 'Unallocated', null, null
)

select * from final
