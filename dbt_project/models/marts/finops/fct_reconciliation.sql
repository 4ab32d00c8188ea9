{#- Per provider, billing period and currency: billed cost in the raw exports (control totals written
    by ingest per provider x billing account x period x currency, summed as exported) vs the FOCUS
    charges and the daily mart. Azure: the actual-cost export is the invoice when present, else
    the amortized export's billed part. Where the same spend arrived natively and as FOCUS, only
    the authoritative source counts (int_billing_sources_chosen). is_final: every charge of the
    period carries an invoice id (the provider has invoiced); otherwise the period is labelled
    partial (an estimated, "not final" export), loaded and reconciled all the same. -#}
with

chosen as (select * from {{ ref('int_billing_sources_chosen') }}),

control as (
    select
        t.provider,
        t.billing_period,
        coalesce(nullif(t.currency, ''), 'USD') as billing_currency,
        t.dataset_type,
        cast(t.billed_total as decimal(38, 10)) as billed_total,
        t.rows
    from {{ lake_control_totals() }} as t
    left join chosen as c
        on c.provider = t.provider and c.billing_account_id = t.billing_account_id and c.billing_period = t.billing_period
    where c.chosen_source is null or c.chosen_source = t.source
),

control_basis as (
    select
        provider,
        billing_period,
        billing_currency,
        sum(billed_total) filter (where dataset_type = 'actual') as actual_total,
        sum(billed_total) filter (where dataset_type = 'amortized') as amortized_total,
        sum(rows) as raw_rows
    from control
    group by 1, 2, 3
),

raw_side as (
    select
        provider,
        billing_period,
        billing_currency,
        coalesce(actual_total, amortized_total) as raw_billed_cost,
        raw_rows
    from control_basis
    union all
    -- AI providers billing directly: the counted AI fact rows (the provider's cost report, else its
    -- priced usage) are their control total (ingest/ai reconciles them to the source files)
    select ai_provider, strftime(usage_date, '%Y-%m'), upper(coalesce(nullif(currency, ''), 'USD')),
           cast(sum(cost) as decimal(38, 10)), count(*)
    from {{ ref('stg_ai__charges') }}
    where counts_in_total and cost is not null and {{ ai_billed_directly('ai_provider') }}
    group by 1, 2, 3
),

focus_side as (
    select provider, strftime(billing_period, '%Y-%m') as billing_period, billing_currency,
           sum(billed_cost) as focus_billed_cost, count(*) as focus_rows,
           count(invoice_id) = count(*) as is_final
    from {{ ref('fct_charges') }}
    group by 1, 2, 3
),

daily_side as (
    select provider, strftime(billing_period, '%Y-%m') as billing_period, billing_currency,
           sum(billed_cost) as daily_billed_cost
    from {{ ref('fct_daily_costs') }}
    group by 1, 2, 3
),

final as (
    select
        coalesce(r.provider, f.provider) || ':' || coalesce(r.billing_period, f.billing_period) || ':' || coalesce(r.billing_currency, f.billing_currency) as reconciliation_id,
        coalesce(r.provider, f.provider) as provider,
        coalesce(r.billing_period, f.billing_period) as billing_period,
        coalesce(r.billing_currency, f.billing_currency) as billing_currency,
        cast(coalesce(r.raw_billed_cost, 0) as decimal(38, 10)) as raw_billed_cost,
        cast(coalesce(f.focus_billed_cost, 0) as decimal(38, 10)) as focus_billed_cost,
        cast(coalesce(d.daily_billed_cost, 0) as decimal(38, 10)) as daily_billed_cost,
        cast(coalesce(f.focus_billed_cost, 0) - coalesce(r.raw_billed_cost, 0) as decimal(38, 10)) as difference,
        cast(coalesce(r.raw_rows, 0) as bigint) as raw_rows,
        cast(coalesce(f.focus_rows, 0) as bigint) as focus_rows,
        coalesce(f.is_final, false) as is_final,
        case when coalesce(f.is_final, false) then 'final' else 'partial' end as export_status,
        round(coalesce(f.focus_billed_cost, 0), 2) = round(coalesce(r.raw_billed_cost, 0), 2)
            and round(coalesce(d.daily_billed_cost, 0), 2) = round(coalesce(r.raw_billed_cost, 0), 2) as is_reconciled
    from raw_side as r
    full outer join focus_side as f
        on f.provider = r.provider and f.billing_period = r.billing_period and f.billing_currency = r.billing_currency
    left join daily_side as d
        on d.provider = coalesce(r.provider, f.provider)
       and d.billing_period = coalesce(r.billing_period, f.billing_period)
       and d.billing_currency = coalesce(r.billing_currency, f.billing_currency)
)

select * from final
