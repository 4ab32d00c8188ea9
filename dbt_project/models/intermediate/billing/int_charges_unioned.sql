{#- FOCUS 1.2 charges of all providers in one relation (snake_case FOCUS names). -#}
with

aws as (select * from {{ ref('int_aws_charges_mapped') }}),
gcp as (select * from {{ ref('int_gcp_charges_mapped') }}),
azure as (select * from {{ ref('int_azure_charges_mapped') }}),

unioned as (
    select 'aws' as provider, * from aws
    union all by name
    select 'gcp' as provider, * from gcp
    union all by name
    select 'azure' as provider, * from azure
),

final as (
    select
        *,
        cast(charge_period_start as date) as charge_date
    from unioned
)

select * from final
