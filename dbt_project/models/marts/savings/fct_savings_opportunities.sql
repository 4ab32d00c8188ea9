{{ config(tags=['ml']) }}
{#- The action inbox: one row per savings opportunity (rightsize, idle, modernize, purchase) with
    its team, $ per month, confidence, evidence and the current human status (open, accepted,
    dismissed with a note, done). Grain: opportunity_id. USD per month. -#}
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
    select * from status_log
    qualify row_number() over (partition by opportunity_id order by changed_at desc) = 1
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
        s.changed_at as status_changed_at
    from opportunities as o
    left join latest_status as s on o.opportunity_id = s.opportunity_id
)

select * from final
