{#- Each team's weight in each allocation rule per billing period, by the rule's driver:
    cost  = the team's own effective cost in the driver scope (driver_dimension = driver_value) that period,
    usage = the team's quantity of a usage metric that period (allocation_usage.csv),
    fixed = the team's share in allocation_shares.csv (every period),
    even  = 1 for every team listed for the rule in allocation_shares.csv (every period).
    Only positive weights are kept. Grain: rule_id x billing_period x team_id. -#}
with

rules as (
    select * from {{ ref('int_allocation_rules_parsed') }}
),

charges as (
    select * from {{ ref('int_charges_attributed') }}
),

shares as (
    select * from {{ org_config('allocation_shares') }}
),

usage_metrics as (
    select * from {{ org_config('allocation_usage') }}
),

periods as (
    select distinct billing_period from charges
),

by_cost as (
    select r.rule_id, c.billing_period, c.team_id, sum(c.effective_cost) as weight
    from rules as r
    inner join charges as c
        on {{ allocation_scope_match('c', 'r.driver_dimension', 'r.driver_value') }}
    where r.driver = 'cost' and c.team_id <> 'unallocated'
    group by r.rule_id, c.billing_period, c.team_id
),

by_usage as (
    select
        r.rule_id,
        cast(trim(u.billing_period) || '-01' as date) as billing_period,
        trim(u.team_id) as team_id,
        sum(cast(u.quantity as decimal(38, 6))) as weight
    from rules as r
    inner join usage_metrics as u on trim(u.rule_id) = r.rule_id
    where r.driver = 'usage'
    group by r.rule_id, cast(trim(u.billing_period) || '-01' as date), trim(u.team_id)
),

by_share as (
    select
        r.rule_id,
        p.billing_period,
        trim(s.team_id) as team_id,
        case when r.driver = 'even' then cast(1 as decimal(38, 6))
             else cast(s.share as decimal(38, 6)) end as weight
    from rules as r
    inner join shares as s on trim(s.rule_id) = r.rule_id
    cross join periods as p
    where r.driver in ('fixed', 'even')
),

unioned as (
    select rule_id, billing_period, team_id, cast(weight as decimal(38, 10)) as weight from by_cost
    union all
    select rule_id, billing_period, team_id, cast(weight as decimal(38, 10)) as weight from by_usage
    union all
    select rule_id, billing_period, team_id, cast(weight as decimal(38, 10)) as weight from by_share
),

final as (
    select rule_id, billing_period, team_id, sum(weight) as weight
    from unioned
    group by rule_id, billing_period, team_id
    having sum(weight) > 0
)

select * from final
