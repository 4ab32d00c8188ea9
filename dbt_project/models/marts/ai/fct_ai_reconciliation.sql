{#- Priced usage (usage API tokens at the price table's list prices) vs the provider's cost report,
    per day, provider and model: the difference is cache discounts, priority tiers, negotiated
    prices, or an error on either side. -#}
select
    usage_date,
    ai_provider,
    model,
    cast(priced_usage as decimal(38, 10)) as priced_usage,
    cast(source_cost as decimal(38, 10)) as source_cost,
    cast(difference as decimal(38, 10)) as difference,
    case when source_cost <> 0 then round(cast(difference * 100 / source_cost as double), 4) end as difference_pct,
    unpriced_tokens,
    abs(difference) <= 0.01 and unpriced_tokens = 0 as is_reconciled
from {{ ref('stg_ai__reconciliation') }}
