{#- service_catalog seed, one row per (provider, service_name): the team owning the service. -#}
select
    provider,
    service_name,
    any_value(team_id) as team_id
from {{ org_config('service_catalog') }}
group by 1, 2
