{#- account_owners seed, one row per (provider, account_id): the default team and environment. -#}
select
    provider,
    account_id,
    any_value(account_name) as account_name,
    any_value(nullif(default_team_id, '')) as default_team_id,
    any_value(environment) as environment
from {{ org_config('account_owners') }}
group by 1, 2
