{#-
  Every charge gets a team and the rule that decided it, in this order:
  1. tag             — a (normalized) team tag naming a known team
  2. service_catalog — the service is owned by a team (service_catalog seed)
  3. account         — the sub account's default team (account_owners seed)
  4. unallocated
  Teams roll up to business unit and business group (teams / business_units seeds).
-#}
with

charges as (
    select * from {{ ref('int_charges_unioned') }}
),

tag_sets as (
    select * from {{ ref('int_tag_sets_normalized') }}
),

catalog as (select * from {{ ref('int_service_owners_keyed') }}),

owners as (select * from {{ ref('int_account_owners_keyed') }}),

hierarchy as (
    select t.team_id, t.business_unit_id, bu.business_group_id
    from {{ org_config('teams') }} as t
    left join {{ org_config('business_units') }} as bu on bu.business_unit_id = t.business_unit_id
),

attributed as (
    select
        c.*,
        ts.normalized_tags_json,
        ts.missing_required_tags,
        coalesce(ts.is_fully_tagged, false) as is_fully_tagged,
        ts.tag_cost_center as cost_center,
        coalesce(ts.tag_environment, o.environment) as environment,
        case
            when ts.tag_team_id is not null then ts.tag_team_id
            when cat.team_id is not null then cat.team_id
            when o.default_team_id is not null then o.default_team_id
            else 'unallocated'
        end as team_id,
        case
            when ts.tag_team_id is not null then 'tag'
            when cat.team_id is not null then 'service_catalog'
            when o.default_team_id is not null then 'account'
            else 'unallocated'
        end as attribution_method
    from charges as c
    left join tag_sets as ts on ts.tags_json = c.tags_json
    left join catalog as cat on cat.provider = c.provider and cat.service_name = c.service_name
    left join owners as o on o.provider = c.provider and o.account_id = c.sub_account_id
),

final as (
    select
        a.*,
        coalesce(h.business_unit_id, 'unallocated') as business_unit_id,
        coalesce(h.business_group_id, 'unallocated') as business_group_id
    from attributed as a
    left join hierarchy as h on h.team_id = a.team_id
)

select * from final
