{#- Shared-cost allocation rules (config allocation_rules.csv), typed and trimmed. Grain: rule_id. -#}
with

rules as (
    select * from {{ org_config('allocation_rules') }}
),

final as (
    select
        trim(rule_id) as rule_id,
        cast(trim(rule_order) as integer) as rule_order,
        lower(trim(match_dimension)) as match_dimension,
        match_value,
        lower(trim(driver)) as driver,
        nullif(lower(trim(driver_dimension)), '') as driver_dimension,
        nullif(driver_value, '') as driver_value,
        nullif(trim(remainder_team_id), '') as remainder_team_id,
        description
    from rules
    where nullif(trim(rule_id), '') is not null
)

select * from final
