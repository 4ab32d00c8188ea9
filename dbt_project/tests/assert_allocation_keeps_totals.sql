-- Shared-cost allocation moves cost between teams, never creates or loses it: per provider x
-- billing period x currency, billed, effective and list cost of fct_charges_allocated equal
-- fct_charges' exactly (no rounding tolerance). Rows returned are failures.
with

allocated as (
    select provider, billing_period, billing_currency,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost, sum(list_cost) as list_cost
    from {{ ref('fct_charges_allocated') }}
    group by provider, billing_period, billing_currency
),

charges as (
    select provider, billing_period, billing_currency,
           sum(billed_cost) as billed_cost, sum(effective_cost) as effective_cost, sum(list_cost) as list_cost
    from {{ ref('fct_charges') }}
    group by provider, billing_period, billing_currency
),

final as (
    select coalesce(a.provider, c.provider) as provider, coalesce(a.billing_period, c.billing_period) as billing_period,
           coalesce(a.billing_currency, c.billing_currency) as billing_currency,
           a.billed_cost as allocated_billed, c.billed_cost as charged_billed
    from allocated as a
    full outer join charges as c
        on a.provider = c.provider and a.billing_period = c.billing_period and a.billing_currency = c.billing_currency
    where a.provider is null or c.provider is null
       or a.billed_cost <> c.billed_cost or a.effective_cost <> c.effective_cost
       or coalesce(a.list_cost, 0) <> coalesce(c.list_cost, 0)
)

select * from final
