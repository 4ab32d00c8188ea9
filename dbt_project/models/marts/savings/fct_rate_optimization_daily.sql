{#- Rate optimization per day: coverage, savings and effective savings rate.
    Grain: provider, billing_currency, service_category, charge_date (Usage charges only; USD or
    whatever the billing currency is, never mixed).

    on_demand_cost            list-equivalent cost of eligible usage paid at on-demand rates
    covered_cost              list-equivalent cost of usage a commitment covered
    eligible_cost             on_demand_cost + covered_cost (spot and "other" pricing are not eligible)
    coverage                  covered_cost / eligible_cost
    on_demand_pct             on_demand_cost / eligible_cost (what the KPI targets bound)
    unused_commitment_cost    effective cost of commitments nobody used
    negotiated_savings        list - contracted (private rates, EDP, enterprise agreements)
    commitment_savings        contracted - effective (reservations, savings plans, CUDs; unused
                              commitment counts against it)
    total_savings             list - effective = negotiated + commitment
    esr_list_basis            (list - effective) / list: the Microsoft FinOps toolkit's ESR
    esr_contracted_basis      (contracted - effective) / contracted: the FinOps Foundation's ESR
    Ratios are null when their denominator is 0. -#}
with

usage_rows as (
    select * from {{ ref('int_charges_rate_classified') }}
    where charge_category = 'Usage'
),

daily as (
    select
        provider,
        billing_currency,
        coalesce(service_category, 'Other') as service_category,
        charge_date,
        min(billing_period) as billing_period,
        sum(case when rate_class = 'on_demand' then list_equivalent_cost else 0 end) as on_demand_cost,
        sum(case when rate_class = 'committed_used' then list_equivalent_cost else 0 end) as covered_cost,
        sum(case when rate_class = 'spot' then effective_cost else 0 end) as spot_cost,
        sum(case when rate_class = 'committed_unused' then effective_cost else 0 end) as unused_commitment_cost,
        sum(list_equivalent_cost) as list_cost,
        sum(contracted_equivalent_cost) as contracted_cost,
        sum(effective_cost) as effective_cost
    from usage_rows
    group by provider, billing_currency, coalesce(service_category, 'Other'), charge_date
),

final as (
    select
        provider || ':' || billing_currency || ':' || service_category || ':' || cast(charge_date as varchar)
            as rate_day_id,
        provider,
        billing_currency,
        service_category,
        charge_date,
        billing_period,
        cast(on_demand_cost as decimal(38, 10)) as on_demand_cost,
        cast(covered_cost as decimal(38, 10)) as covered_cost,
        cast(on_demand_cost + covered_cost as decimal(38, 10)) as eligible_cost,
        case when on_demand_cost + covered_cost <> 0
            then cast(covered_cost / (on_demand_cost + covered_cost) as double) end as coverage,
        case when on_demand_cost + covered_cost <> 0
            then cast(on_demand_cost / (on_demand_cost + covered_cost) as double) end as on_demand_pct,
        cast(spot_cost as decimal(38, 10)) as spot_cost,
        cast(unused_commitment_cost as decimal(38, 10)) as unused_commitment_cost,
        cast(list_cost as decimal(38, 10)) as list_cost,
        cast(contracted_cost as decimal(38, 10)) as contracted_cost,
        cast(effective_cost as decimal(38, 10)) as effective_cost,
        cast(list_cost - contracted_cost as decimal(38, 10)) as negotiated_savings,
        cast(contracted_cost - effective_cost as decimal(38, 10)) as commitment_savings,
        cast(list_cost - effective_cost as decimal(38, 10)) as total_savings,
        case when list_cost <> 0 then cast((list_cost - effective_cost) / list_cost as double) end as esr_list_basis,
        case when contracted_cost <> 0
            then cast((contracted_cost - effective_cost) / contracted_cost as double) end as esr_contracted_basis
    from daily
)

select * from final
