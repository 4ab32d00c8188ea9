{#- Sub accounts (AWS accounts, GCP projects, Azure subscriptions) with owner team and environment. -#}
with

charges as (select * from {{ ref('fct_charges') }} where sub_account_id is not null),
owners as (select * from {{ ref('int_account_owners_keyed') }}),

accounts as (
    select
        provider,
        sub_account_id,
        any_value(sub_account_name) as sub_account_name,
        any_value(sub_account_type) as sub_account_type,
        any_value(billing_account_id) as billing_account_id,
        any_value(billing_account_name) as billing_account_name,
        min(charge_date) as first_charge_date,
        max(charge_date) as last_charge_date
    from charges
    group by 1, 2
),

final as (
    select
        a.provider || ':' || a.sub_account_id as account_key,
        a.provider,
        a.sub_account_id,
        coalesce(o.account_name, a.sub_account_name) as sub_account_name,
        a.sub_account_type,
        a.billing_account_id,
        a.billing_account_name,
        o.default_team_id,
        o.environment,
        a.first_charge_date,
        a.last_charge_date
    from accounts as a
    left join owners as o on o.provider = a.provider and o.account_id = a.sub_account_id
)

select * from final
