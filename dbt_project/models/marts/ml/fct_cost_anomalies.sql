{{ config(tags=['ml']) }}
{#- Cost anomaly events with their kind (spike, level shift), whether still ongoing, owner, age,
    lifecycle state and current human status. Grain: event_id. -#}
-- depends_on: {{ source('ml', 'anomaly_events') }}
-- depends_on: {{ source('ml', 'anomaly_status') }}
with

events as (
    select * from {{ ml_table('anomaly_events', "null::varchar as event_id, null::varchar as series_id, null::varchar as scope_type, null::varchar as scope_value, null::varchar as currency, null::date as start_date, null::date as end_date, null::bigint as anomalous_days, null::double as actual_cost, null::double as expected_cost, null::double as cost_impact, null::double as max_score, null::double as confidence, null::varchar as methods, null::varchar as direction, null::varchar as kind, null::boolean as ongoing, null::varchar as owner, null::bigint as age_days, null::varchar as lifecycle, null::varchar as root_cause_path, null::varchar as root_cause_json, null::timestamptz as first_detected_at, null::timestamptz as last_detected_at, null::boolean as detected_in_last_run") }}
),

status_log as (
    select * from {{ ml_table('anomaly_status', "null::varchar as event_id, null::varchar as status, null::varchar as changed_by, null::varchar as note, null::timestamptz as changed_at") }}
),

latest_status as (
    {{ first_row_per('status_log', 'event_id', 'changed_at desc') }}
),

final as (
    select
        e.event_id,
        e.scope_type,
        e.scope_value,
        case when e.scope_type = 'team' then e.scope_value end as team_id,
        e.currency as billing_currency,
        e.start_date,
        e.end_date,
        e.anomalous_days,
        cast(round(e.actual_cost, 2) as decimal(18, 2)) as actual_cost,
        cast(round(e.expected_cost, 2) as decimal(18, 2)) as expected_cost,
        cast(round(e.cost_impact, 2) as decimal(18, 2)) as cost_impact,
        e.max_score,
        e.confidence,
        e.methods,
        e.direction,
        coalesce(e.kind, 'spike') as kind,
        coalesce(e.ongoing, false) as is_ongoing,
        e.owner as owner_team_id,
        e.age_days,
        case
            when coalesce(s.status, 'open') <> 'open' then s.status
            when e.lifecycle in ('acknowledged', 'resolved') then 'open'  -- reopened since the run
            else coalesce(e.lifecycle, 'open')
        end as lifecycle_state,
        e.root_cause_path,
        e.root_cause_json,
        coalesce(s.status, 'open') as status,
        s.changed_by as status_by,
        s.note as status_note,
        s.changed_at as status_changed_at,
        e.first_detected_at,
        e.last_detected_at,
        e.detected_in_last_run,
        e.series_id
    from events e
    left join latest_status s using (event_id)
)

select * from final
