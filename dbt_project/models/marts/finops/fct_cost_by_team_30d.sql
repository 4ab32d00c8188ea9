{#- Cost per team: last 30 days vs the 30 before, and calendar month-over-month (month to date vs the
    same days of the previous month; last full month vs the one before). Effective (amortized)
    cost, per billing currency. Grain: team_id x billing_currency. -#}
with

daily as (select * from {{ ref('fct_daily_costs') }}),
teams as (select * from {{ ref('dim_teams') }}),

as_of as (
    select
        {{ as_of_date_sql() }} as as_of_date
),

windows as (
    select
        as_of_date,
        cast(date_trunc('month', as_of_date) as date) as month_start,
        cast(date_trunc('month', as_of_date) - interval '1 month' as date) as prev_month_start,
        cast(date_trunc('month', as_of_date) - interval '2 month' as date) as prev2_month_start,
        -- the previous month up to the same day of month (clamped to its length)
        least(
            cast(date_trunc('month', as_of_date) - interval '1 month' as date) + cast(day(as_of_date) - 1 as integer),
            cast(date_trunc('month', as_of_date) as date) - 1
        ) as prev_month_same_day
    from as_of
),

per_team as (
    select
        d.team_id,
        d.billing_currency,
        any_value(w.as_of_date) as as_of_date,
        sum(d.effective_cost) filter (where d.charge_date > w.as_of_date - 30 and d.charge_date <= w.as_of_date) as cost_last_30d,
        sum(d.effective_cost) filter (where d.charge_date > w.as_of_date - 60 and d.charge_date <= w.as_of_date - 30) as cost_prev_30d,
        sum(d.billed_cost) filter (where d.charge_date > w.as_of_date - 30 and d.charge_date <= w.as_of_date) as billed_cost_last_30d,
        sum(d.effective_cost) filter (where d.charge_date >= w.month_start and d.charge_date <= w.as_of_date) as month_to_date_cost,
        sum(d.effective_cost) filter (where d.charge_date >= w.prev_month_start and d.charge_date <= w.prev_month_same_day) as prev_month_to_date_cost,
        sum(d.effective_cost) filter (where d.charge_date >= w.prev_month_start and d.charge_date < w.month_start) as last_full_month_cost,
        sum(d.effective_cost) filter (where d.charge_date >= w.prev2_month_start and d.charge_date < w.prev_month_start) as prior_full_month_cost
    from daily as d
    cross join windows as w
    where d.charge_date > w.as_of_date - 95 and d.charge_date <= w.as_of_date
    group by 1, 2
),

final as (
    select
        p.team_id,
        t.team_name,
        t.business_unit_id,
        t.business_unit_name,
        t.business_group_id,
        t.business_group_name,
        p.billing_currency,
        p.as_of_date,
        cast(coalesce(p.cost_last_30d, 0) as decimal(38, 10)) as cost_last_30d,
        cast(coalesce(p.cost_prev_30d, 0) as decimal(38, 10)) as cost_prev_30d,
        cast(coalesce(p.cost_last_30d, 0) - coalesce(p.cost_prev_30d, 0) as decimal(38, 10)) as change_30d,
        cast(case when coalesce(p.cost_prev_30d, 0) = 0 then null
             else (coalesce(p.cost_last_30d, 0) - p.cost_prev_30d) / p.cost_prev_30d * 100 end as double) as change_30d_pct,
        cast(coalesce(p.billed_cost_last_30d, 0) as decimal(38, 10)) as billed_cost_last_30d,
        cast(coalesce(p.month_to_date_cost, 0) as decimal(38, 10)) as month_to_date_cost,
        cast(coalesce(p.prev_month_to_date_cost, 0) as decimal(38, 10)) as prev_month_to_date_cost,
        cast(case when coalesce(p.prev_month_to_date_cost, 0) = 0 then null
             else (coalesce(p.month_to_date_cost, 0) - p.prev_month_to_date_cost) / p.prev_month_to_date_cost * 100 end as double) as mom_change_pct,
        cast(coalesce(p.last_full_month_cost, 0) as decimal(38, 10)) as last_full_month_cost,
        cast(coalesce(p.prior_full_month_cost, 0) as decimal(38, 10)) as prior_full_month_cost,
        cast(case when coalesce(p.prior_full_month_cost, 0) = 0 then null
             else (coalesce(p.last_full_month_cost, 0) - p.prior_full_month_cost) / p.prior_full_month_cost * 100 end as double) as full_month_change_pct
    from per_team as p
    left join teams as t on t.team_id = p.team_id
)

select * from final
