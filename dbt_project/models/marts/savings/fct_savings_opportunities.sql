{{ config(tags=['ml']) }}
{#- The action inbox: one row per savings opportunity (rightsize, idle, modernize, purchase) with
    its team, $ per month, confidence, evidence and the current human status (open, accepted,
    dismissed with a note, done). For a done opportunity, realised_monthly_savings = the resource's
    cost in the 30 days before "done" minus its cost per day since, both scaled to a month
    (30.4167 days); null until a day of charges after "done". Grain: opportunity_id. USD per month. -#}
-- depends_on: {{ source('ml_savings', 'savings_opportunities') }}
-- depends_on: {{ source('ml_savings', 'savings_status') }}
with

opportunities as (
    select * from {{ ml_table('savings_opportunities', "null::varchar as opportunity_id, null::varchar as provider, null::varchar as resource_id, null::varchar as team_id, null::varchar as kind, null::varchar as title, null::decimal(18,2) as monthly_savings, null::double as confidence, null::varchar as evidence_json, null::timestamptz as first_detected_at, null::timestamptz as last_detected_at") }}
),

status_log as (
    select * from {{ ml_table('savings_status', "null::varchar as opportunity_id, null::varchar as status, null::varchar as changed_by, null::varchar as note, null::timestamptz as changed_at") }}
),

latest_status as (
    {{ first_row_per('status_log', 'opportunity_id', 'changed_at desc') }}
),

-- not materialized: read twice; materialising every charge with all its columns costs more than
-- scanning the fact twice
charges as not materialized (
    select * from {{ ref('fct_charges') }}
),

done as (
    select
        o.opportunity_id,
        o.provider,
        o.resource_id,
        cast(s.changed_at as date) as done_date
    from opportunities as o
    inner join latest_status as s on o.opportunity_id = s.opportunity_id
    where s.status = 'done'
),

realised as (
    select
        done.opportunity_id,
        sum(case when c.charge_date < done.done_date and c.charge_date >= done.done_date - interval '30 day'
                 then c.effective_cost else 0 end) as cost_30d_before,
        sum(case when c.charge_date >= done.done_date then c.effective_cost else 0 end) as cost_since,
        max(case when c.charge_date >= done.done_date then c.charge_date end) as last_charge_date,
        min(done.done_date) as done_date
    from done
    left join charges as c
        on c.provider = done.provider
        and c.resource_id = done.resource_id
        and c.charge_category = 'Usage'
    group by done.opportunity_id
),

last_day as (
    select max(charge_date) as d from charges
),

final as (
    select
        o.opportunity_id,
        o.provider,
        o.resource_id,
        o.team_id,
        o.kind,
        o.title,
        cast(o.monthly_savings as decimal(18, 2)) as monthly_savings,
        o.confidence,
        o.evidence_json,
        o.first_detected_at,
        o.last_detected_at,
        coalesce(s.status, 'open') as status,
        s.changed_by as status_changed_by,
        s.note as status_note,
        s.changed_at as status_changed_at,
        case
            when r.opportunity_id is not null and last_day.d >= r.done_date
                then cast(
                    r.cost_30d_before / 30 * 30.4167
                    - r.cost_since / ({{ dbt.datediff('r.done_date', 'last_day.d', 'day') }} + 1) * 30.4167
                    as decimal(18, 2))
        end as realised_monthly_savings
    from opportunities as o
    left join latest_status as s on o.opportunity_id = s.opportunity_id
    left join realised as r on o.opportunity_id = r.opportunity_id
    cross join last_day
)

select * from final
