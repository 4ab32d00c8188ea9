{#- Sub accounts (AWS accounts, GCP projects, Azure subscriptions) with owner team and environment.
    Names and billing account as on the account's latest charge (ties: the greatest md5 of
    charge_id), so every engine picks the same one. -#}
with

charges as (select * from {{ ref('fct_charges') }} where sub_account_id is not null),
owners as (select * from {{ ref('int_account_owners_keyed') }}),

accounts as (
    select
        provider,
        sub_account_id,
        {{ arg_max_latest('sub_account_name', 'charge_date', 'charge_id') }} as sub_account_name,
        {{ arg_max_latest('sub_account_type', 'charge_date', 'charge_id') }} as sub_account_type,
        {{ arg_max_latest('billing_account_id', 'charge_date', 'charge_id') }} as billing_account_id,
        {{ arg_max_latest('billing_account_name', 'charge_date', 'charge_id') }} as billing_account_name,
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
