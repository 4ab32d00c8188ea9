{#- Inventory of every commitment seen in the charges, any cloud. Grain: provider, commitment_discount_id.

    term_days / expires_at come from a one-time purchase's charge period (the spec's upfront
    purchase covers the whole term); null when the export only shows recurring fees or usage.
    Money is in billing_currency, summed over every day seen. -#}
with

classified as (
    select * from {{ ref('int_charges_rate_classified') }}
    where commitment_discount_id is not null
),

one_time_purchases as (
    select
        provider,
        commitment_discount_id,
        min(charge_period_start) as term_start_at,
        max(charge_period_end) as expires_at
    from classified
    where rate_class = 'purchase' and charge_frequency = 'One-Time'
    group by provider, commitment_discount_id
),

totals as (
    select
        provider,
        commitment_discount_id,
        max(commitment_discount_name) as commitment_discount_name,
        max(commitment_discount_type) as commitment_discount_type,
        max(commitment_discount_category) as commitment_discount_category,
        max(commitment_discount_unit) as commitment_discount_unit,
        min(billing_currency) as billing_currency,
        min(billing_account_id) as billing_account_id,
        count(distinct coalesce(sub_account_id, '')) as sub_account_count,
        min(region_id) as region_id,
        count(distinct region_id) as region_count,
        min(charge_date) as first_seen_date,
        max(charge_date) as last_seen_date,
        sum(case when rate_class = 'purchase' and charge_frequency = 'One-Time' then billed_cost else 0 end)
            as upfront_purchase_cost,
        sum(case when rate_class = 'purchase' and charge_frequency <> 'One-Time' then billed_cost else 0 end)
            as recurring_purchase_cost,
        sum(case when rate_class = 'committed_used' then effective_cost else 0 end) as used_commitment_cost,
        sum(case when rate_class = 'committed_unused' then effective_cost else 0 end) as unused_commitment_cost,
        sum(case when rate_class = 'committed_used' then list_equivalent_cost else 0 end) as covered_list_cost,
        count(distinct case when rate_class = 'committed_used' then resource_id end) as covered_resource_count
    from classified
    group by provider, commitment_discount_id
),

final as (
    select
        totals.provider || ':' || totals.commitment_discount_id as commitment_key,
        totals.provider,
        totals.commitment_discount_id,
        totals.commitment_discount_name,
        totals.commitment_discount_type,
        totals.commitment_discount_category,
        totals.commitment_discount_unit,
        totals.billing_currency,
        totals.billing_account_id,
        case
            when totals.sub_account_count > 1 or totals.region_count > 1 then 'shared'
            else 'single'
        end as scope,
        totals.region_id,
        totals.first_seen_date,
        totals.last_seen_date,
        one_time_purchases.term_start_at,
        one_time_purchases.expires_at,
        cast({{ dbt.datediff('one_time_purchases.term_start_at', 'one_time_purchases.expires_at', 'day') }} as integer) as term_days,
        cast(totals.upfront_purchase_cost as decimal(38, 10)) as upfront_purchase_cost,
        cast(totals.recurring_purchase_cost as decimal(38, 10)) as recurring_purchase_cost,
        cast(totals.used_commitment_cost as decimal(38, 10)) as used_commitment_cost,
        cast(totals.unused_commitment_cost as decimal(38, 10)) as unused_commitment_cost,
        case
            when totals.used_commitment_cost + totals.unused_commitment_cost <> 0
                then cast(totals.used_commitment_cost / (totals.used_commitment_cost + totals.unused_commitment_cost) as double)
        end as utilization,
        cast(totals.covered_list_cost as decimal(38, 10)) as covered_list_cost,
        cast(totals.covered_list_cost - totals.used_commitment_cost - totals.unused_commitment_cost as decimal(38, 10))
            as commitment_savings,
        totals.covered_resource_count
    from totals
    left join one_time_purchases
        on totals.provider = one_time_purchases.provider
        and totals.commitment_discount_id = one_time_purchases.commitment_discount_id
)

select * from final
