{#- Monthly cost per team after shared-cost allocation, split by how it reached the team
    (attribution_method: tag, service_catalog, account, unallocated, or allocation_rule with its
    rule and method): the chargeback view and the "allocated vs directly attributed" summary.
    Grain: billing_period x provider x billing_currency x team_id x service_name x charge_category x attribution_method x
    allocation_rule_id x allocated_method_id (rule and method '' for direct attribution). -#}
with

lines as (
    select * from {{ ref('fct_charges_allocated') }}
),

final as (
    select
        billing_period,
        provider,
        billing_currency,
        team_id,
        business_unit_id,
        business_group_id,
        service_name,
        charge_category,
        attribution_method,
        coalesce(allocation_rule_id, '') as allocation_rule_id,
        coalesce(allocated_method_id, '') as allocated_method_id,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(list_cost) as list_cost,
        count(*) as charge_lines
    from lines
    group by billing_period, provider, billing_currency, team_id, business_unit_id, business_group_id,
             service_name, charge_category, attribution_method, coalesce(allocation_rule_id, ''), coalesce(allocated_method_id, '')
)

select * from final
