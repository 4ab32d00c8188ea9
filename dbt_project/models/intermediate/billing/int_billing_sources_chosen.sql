{#- Which export is authoritative per provider x billing account x billing period, when the same
    spend arrives twice (a native export and a FOCUS export). Configuration as data: the
    billing_sources seed names the source per provider and billing account ('*' = every account);
    without a choice the native export wins. Read from ingest's control totals (small). -#}
with

control as (
    select distinct source, provider, billing_account_id, billing_period
    from {{ lake_control_totals() }} as totals
),

keys as (
    select provider, billing_account_id, billing_period, list(distinct source order by source) as sources
    from control
    {{ group_by_all(3) }}
),

config as (
    select provider, cast(billing_account_id as varchar) as billing_account_id, authoritative_source
    from {{ org_config('billing_sources') }}
),

chosen as (
    select
        k.provider,
        k.billing_account_id,
        k.billing_period,
        k.sources,
        coalesce(
            case when len(k.sources) = 1 then k.sources[1] end,
            (select any_value(c.authoritative_source) from config as c
              where c.provider = k.provider and c.billing_account_id = k.billing_account_id
                and list_contains(k.sources, c.authoritative_source)),
            (select any_value(c.authoritative_source) from config as c
              where c.provider = k.provider and c.billing_account_id = '*'
                and list_contains(k.sources, c.authoritative_source)),
            {{ list_where('k.sources', 's', "s <> 'focus'") }}[1],
            k.sources[1]
        ) as chosen_source,
        len(k.sources) > 1 as has_alternatives
    from keys as k
)

select * from chosen
