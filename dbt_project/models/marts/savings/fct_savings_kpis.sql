{#- Monthly rate-optimization KPIs against the targets in seed savings_kpi_targets.
    Grain: kpi_id, provider, billing_currency, billing_period.

    value     the KPI for the month (ratios 0..1): on-demand share of eligible cost per service
              category, commitment utilization, effective savings rate (list basis)
    gap       how far the value is on the wrong side of the target (0 when met): value - target for
              a "max" target, target - value for a "min" target -#}
with

rate_daily as (
    select * from {{ ref('fct_rate_optimization_daily') }}
),

commitment_daily as (
    select * from {{ ref('fct_commitment_daily') }}
),

targets as (
    select * from {{ ref('savings_kpi_targets') }}
),

by_category as (
    select
        provider,
        billing_currency,
        billing_period,
        service_category,
        'on_demand_pct' as metric,
        case when sum(eligible_cost) <> 0 then cast(sum(on_demand_cost) / sum(eligible_cost) as double) end as value
    from rate_daily
    group by provider, billing_currency, billing_period, service_category
),

esr as (
    select
        provider,
        billing_currency,
        billing_period,
        '*' as service_category,
        'esr_list_basis' as metric,
        case when sum(list_cost) <> 0 then cast(sum(total_savings) / sum(list_cost) as double) end as value
    from rate_daily
    group by provider, billing_currency, billing_period
),

utilization as (
    select
        provider,
        billing_currency,
        billing_period,
        '*' as service_category,
        'utilization' as metric,
        case when sum(committed_cost) <> 0 then cast(sum(used_commitment_cost) / sum(committed_cost) as double) end as value
    from commitment_daily
    group by provider, billing_currency, billing_period
),

measured as (
    select * from by_category
    union all
    select * from esr
    union all
    select * from utilization
),

joined as (
    select
        targets.kpi_id,
        measured.provider,
        measured.billing_currency,
        strftime(measured.billing_period, '%Y-%m') as billing_month,
        measured.billing_period,
        measured.service_category,
        measured.metric,
        targets.comparison,
        cast(targets.target_value as double) as target_value,
        measured.value
    from measured
    inner join targets
        on targets.metric = measured.metric
        and (targets.provider = '*' or targets.provider = measured.provider)
        and (targets.service_category = '*' or targets.service_category = measured.service_category)
    where measured.value is not null
),

final as (
    select
        kpi_id || ':' || provider || ':' || billing_currency || ':' || billing_month as kpi_month_id,
        kpi_id,
        provider,
        billing_currency,
        billing_month,
        service_category,
        metric,
        comparison,
        target_value,
        value,
        case
            when comparison = 'max' then greatest(value - target_value, 0)
            else greatest(target_value - value, 0)
        end as gap,
        case when comparison = 'max' then value <= target_value else value >= target_value end as is_met
    from joined
)

select * from final
