{#- Usage and commitment charges classified by how they were priced, with their on-demand (list)
    and contracted equivalents. Grain: charge_id (one FOCUS charge of fct_charges).

    rate_class:
      committed_used    Usage covered by a commitment (CommitmentDiscountStatus = Used)
      committed_unused  the unused part of a commitment (Status = Unused): nothing was consumed,
                        so its list and contracted equivalents are 0 and its effective cost is waste
      on_demand         Usage at Standard pricing with no commitment: eligible for coverage
      spot              Dynamic pricing (spot / preemptible): not eligible for commitments
      purchase          a commitment purchase (one-time or recurring fee)
      other             any other usage row (pricing category Other or unknown)
    Missing list cost falls back to contracted, then effective cost (and contracted to list, then
    effective), so a provider without list prices shows no savings rather than a wrong one. -#}
with

charges as (
    select * from {{ ref('fct_charges') }}
    where charge_category in ('Usage', 'Purchase')
),

classified as (
    select
        charge_id,
        provider,
        billing_period,
        charge_date,
        billing_currency,
        billing_account_id,
        sub_account_id,
        service_name,
        service_category,
        region_id,
        resource_id,
        resource_type,
        sku_id,
        sku_meter,
        list_unit_price,
        team_id,
        charge_category,
        charge_frequency,
        charge_period_start,
        charge_period_end,
        pricing_category,
        commitment_discount_id,
        commitment_discount_name,
        commitment_discount_category,
        commitment_discount_type,
        commitment_discount_status,
        commitment_discount_quantity,
        commitment_discount_unit,
        consumed_quantity,
        pricing_quantity,
        billed_cost,
        effective_cost,
        list_cost,
        contracted_cost,
        case
            when charge_category = 'Purchase' then 'purchase'
            when commitment_discount_status = 'Unused' then 'committed_unused'
            when commitment_discount_id is not null and coalesce(commitment_discount_status, 'Used') = 'Used'
                then 'committed_used'
            when pricing_category = 'Dynamic' then 'spot'
            when coalesce(pricing_category, 'Standard') = 'Standard' then 'on_demand'
            else 'other'
        end as rate_class
    from charges
),

final as (
    select
        classified.*,
        case
            when rate_class in ('committed_unused', 'purchase') then cast(0 as decimal(38, 10))
            else coalesce(list_cost, contracted_cost, effective_cost)
        end as list_equivalent_cost,
        case
            when rate_class in ('committed_unused', 'purchase') then cast(0 as decimal(38, 10))
            else coalesce(contracted_cost, list_cost, effective_cost)
        end as contracted_equivalent_cost
    from classified
)

select * from final
