{#- How each resource's cost of the last 30 days (to the last day of data) reached its team: the
    attribution method (tag, service_catalog, account, unallocated) and the evidence it used, so a
    team can check its statement and dispute a line. Charges without a resource are kept as
    '(no resource)'. Grain: resource_attribution_id (resource x team x method x currency). -#}
with

-- not materialized: read twice (the window's end and the charges in it); materialising every
-- charge with all its columns costs more than scanning the fact twice
charges as not materialized (
    select * from {{ ref('fct_charges') }}
),

window_end as (
    select max(charge_date) as as_of_date from charges
),

recent as (
    select c.*, w.as_of_date
    from charges as c
    cross join window_end as w
    where c.charge_date > w.as_of_date - 30
),

by_resource as (
    select
        coalesce(resource_id, '(no resource)') as resource_id,
        team_id,
        attribution_method,
        billing_currency,
        max(as_of_date) as as_of_date,
        {{ arg_max_latest('resource_name', 'charge_period_start', 'charge_id') }} as resource_name,
        max(provider) as provider,
        max(coalesce(sub_account_id, '(none)')) as sub_account_id,
        {{ arg_max_stable('service_name', 'effective_cost', 'charge_id') }} as service_name,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from recent
    group by 1, 2, 3, 4
),

final as (
    select
        resource_id || '|' || team_id || '|' || attribution_method || '|' || billing_currency
            as resource_attribution_id,
        resource_id,
        resource_name,
        provider,
        sub_account_id,
        service_name,
        team_id,
        attribution_method,
        case attribution_method
            when 'tag' then 'team tag = ' || team_id
            when 'service_catalog' then 'service catalog: ' || service_name
            when 'account' then 'account owner: ' || sub_account_id
            else 'no rule matched'
        end as attribution_evidence,
        billing_currency,
        as_of_date,
        cast(billed_cost as decimal(38, 10)) as billed_cost,
        cast(effective_cost as decimal(38, 10)) as effective_cost
    from by_resource
)

select * from final
