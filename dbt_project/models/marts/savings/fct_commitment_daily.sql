{#- Utilization of each commitment (reservation, savings plan, committed-use discount, Azure
    reservation / savings plan) per day. Grain: provider, commitment_discount_id, charge_date.

    used_commitment_cost     effective cost of the usage the commitment covered (Status = Used)
    unused_commitment_cost   effective cost of the commitment nobody used (Status = Unused)
    utilization              used / (used + unused): share of the amortized commitment consumed;
                             null on a day with neither
    covered_list_cost        what the covered usage would have cost on demand
    commitment_savings       covered_list_cost - used - unused: what the commitment saved that day
                             (negative when the unused part costs more than the discount saved)
    purchase_billed_cost     purchase fees billed that day (one-time and recurring) -#}
with

classified as (
    select * from {{ ref('int_charges_rate_classified') }}
    where commitment_discount_id is not null
),

daily as (
    select
        provider,
        commitment_discount_id,
        charge_date,
        min(billing_period) as billing_period,
        min(billing_currency) as billing_currency,
        max(commitment_discount_type) as commitment_discount_type,
        max(commitment_discount_category) as commitment_discount_category,
        sum(case when rate_class = 'committed_used' then effective_cost else 0 end) as used_commitment_cost,
        sum(case when rate_class = 'committed_unused' then effective_cost else 0 end) as unused_commitment_cost,
        sum(case when rate_class = 'committed_used' then list_equivalent_cost else 0 end) as covered_list_cost,
        sum(case when rate_class = 'purchase' then billed_cost else 0 end) as purchase_billed_cost,
        count(*) as charge_count
    from classified
    group by provider, commitment_discount_id, charge_date
),

final as (
    select
        provider || ':' || commitment_discount_id || ':' || cast(charge_date as varchar) as commitment_day_id,
        provider,
        commitment_discount_id,
        charge_date,
        billing_period,
        billing_currency,
        commitment_discount_type,
        commitment_discount_category,
        cast(used_commitment_cost as decimal(38, 10)) as used_commitment_cost,
        cast(unused_commitment_cost as decimal(38, 10)) as unused_commitment_cost,
        cast(used_commitment_cost + unused_commitment_cost as decimal(38, 10)) as committed_cost,
        case
            when used_commitment_cost + unused_commitment_cost <> 0
                then cast(used_commitment_cost / (used_commitment_cost + unused_commitment_cost) as double)
        end as utilization,
        cast(covered_list_cost as decimal(38, 10)) as covered_list_cost,
        cast(covered_list_cost - used_commitment_cost - unused_commitment_cost as decimal(38, 10)) as commitment_savings,
        cast(purchase_billed_cost as decimal(38, 10)) as purchase_billed_cost,
        charge_count
    from daily
)

select * from final
