{#- Each team's weight in each allocation rule per billing period, by the rule's driver:
    cost  = the team's own effective cost in the driver scope (driver_dimension = driver_value) that period,
    usage = the team's quantity of a usage metric that period (allocation_usage.csv),
    fixed = the team's share in allocation_shares.csv (every period),
    even  = 1 for every team listed for the rule in allocation_shares.csv (every period).
    Only positive weights are kept. Read from fct_charges. Grain: rule_id x billing_period x team_id. Each driver's rows
    come from the macro allocation_driver_weights (macros/allocation_split.sql). -#}
with

rules as (
    select * from {{ ref('int_allocation_rules_parsed') }}
),

-- the built fact, not the attribution view it is built from: that view maps the whole lake again
-- (at 100M line items the fact's whole build, and DuckDB materialized it because it is read twice
-- here). Only the columns a driver scope matches on; not materialized, so each read below scans
-- the columnar fact (and a filter on billing_period reaches the scan).
charges as not materialized (
    select
        billing_period, team_id, effective_cost, provider, service_name, resource_id, sub_account_id,
        charge_category, normalized_tags_json
    from {{ ref('fct_charges') }}
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
    {{ allocation_driver_weights('rules', ['cost'], 'charges', 'c', 'c.billing_period', 'c.team_id',
                                 'c.effective_cost',
                                 on=allocation_scope_match('c', 'r.driver_dimension', 'r.driver_value'),
                                 also_where="c.team_id <> 'unallocated'") }}
),

by_usage as (
    {{ allocation_driver_weights('rules', ['usage'], 'usage_metrics', 'u',
                                 "cast(trim(u.billing_period) || '-01' as date)", 'trim(u.team_id)',
                                 'cast(u.quantity as decimal(38, 6))') }}
),

by_share as (
    {{ allocation_driver_weights('rules', ['fixed', 'even'], 'shares', 's', 'p.billing_period',
                                 'trim(s.team_id)',
                                 "case when r.driver = 'even' then cast(1 as decimal(38, 6))"
                                 ~ " else cast(s.share as decimal(38, 6)) end",
                                 also_from='cross join periods as p', aggregate=false) }}
),

unioned as (
    select * from by_cost
    union all
    select * from by_usage
    union all
    select * from by_share
),

final as (
    select rule_id, billing_period, team_id, sum(weight) as weight
    from unioned
    group by rule_id, billing_period, team_id
    having sum(weight) > 0
)

select * from final
