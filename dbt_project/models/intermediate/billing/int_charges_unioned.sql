{#- FOCUS 1.2 charges of all providers in one relation (snake_case FOCUS names), with the parts
    every provider shares: units in FOCUS UnitFormat (pricing_units seed; Azure through the FinOps
    toolkit's PricingUnits open data) and the provider as invoice issuer (these providers invoice
    their own charges; a different issuer would mean a third-party, BilledCost-0 charge). -#}
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

unit_map as (
    select provider, raw_unit, any_value(focus_unit) as focus_unit
    from {{ ref('pricing_units') }}
    group by 1, 2
    union all
    select 'azure', unit_of_measure,
           any_value(case when pricing_block_size > 1 then cast(pricing_block_size as varchar) || ' ' || distinct_units
                          else distinct_units end)
    from {{ ref('azure_pricing_units') }}
    group by 2
),

final as (
    select
        u.* replace (
            coalesce(pu.focus_unit, u.pricing_unit) as pricing_unit,
            coalesce(cu.focus_unit, u.consumed_unit) as consumed_unit,
            coalesce(du.focus_unit, u.commitment_discount_unit) as commitment_discount_unit,
            case when u.charge_category = 'Tax' then null else u.sku_id end as sku_id,
            case when u.charge_category = 'Tax' then null else u.sku_meter end as sku_meter
        ),
        u.provider_name as invoice_issuer_name,
        cast(u.charge_period_start as date) as charge_date
    from unioned as u
    left join unit_map as pu on pu.provider = u.provider and pu.raw_unit = u.pricing_unit
    left join unit_map as cu on cu.provider = u.provider and cu.raw_unit = u.consumed_unit
    left join unit_map as du on du.provider = u.provider and du.raw_unit = u.commitment_discount_unit
)

select * from final
