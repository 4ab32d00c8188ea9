{#- Services seen in the bills, with FOCUS category and owning team when the catalog names one. -#}
with

charges as (select * from {{ ref('fct_daily_costs') }}),
catalog as (select provider, service_name, team_id as owner_team_id from {{ ref('int_service_owners_keyed') }}),

services as (
    select
        provider,
        service_name,
        any_value(service_category) as service_category,
        min(charge_date) as first_charge_date,
        max(charge_date) as last_charge_date
    from charges
    group by 1, 2
),

final as (
    select
        s.provider || ':' || s.service_name as service_key,
        s.provider,
        s.service_name,
        s.service_category,
        c.owner_team_id,
        s.first_charge_date,
        s.last_charge_date
    from services as s
    left join catalog as c on c.provider = s.provider and c.service_name = s.service_name
)

select * from final
