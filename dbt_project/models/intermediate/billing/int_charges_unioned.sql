{#- FOCUS 1.2 charges of all providers in one relation (snake_case FOCUS names), with the parts
    every provider shares: units in FOCUS UnitFormat (pricing_units seed; Azure through the FinOps
    toolkit's PricingUnits open data) and the provider as invoice issuer (these providers invoice
    their own charges; a different issuer would mean a third-party, BilledCost-0 charge). -#}
{#- one entry per native provider (the registry: ingest/providers.py) plus FOCUS input, whose rows
    carry their own provider; source says which export a charge came from -#}
{%- set natives = ['aws', 'gcp', 'azure', 'oci'] %}
{% set ctes %}
with

{% for p in natives %}
{{ p }} as (select '{{ p }}' as provider, '{{ p }}' as source, * from {{ ref('int_' ~ p ~ '_charges_mapped') }}),
{% endfor %}
focus as (select * from {{ ref('int_focus_charges_mapped') }}),
{#- AI API spend the AI providers bill directly (issue 14; never the cloud-billed AI lines) -#}
ai as (select * from {{ ref('int_ai_charges_mapped') }}),

{% endset %}{{ ctes }}
{% set ctes_unioned %}
all_sources as (
    {{ union_all_by_name(ctes, natives + ['focus', 'ai']) }}
),

chosen as (select * from {{ ref('int_billing_sources_chosen') }}),

-- the same spend delivered natively and as FOCUS counts once: the authoritative source's rows
unioned as (
    select a.*
    from all_sources as a
    left join chosen as c
        on c.provider = a.provider
       and c.billing_account_id = a.billing_account_id
       and c.billing_period = strftime(a.billing_period, '%Y-%m')
    where c.chosen_source is null or c.chosen_source = a.source
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

{% endset %}{{ ctes_unioned }}
final as (
    select
        {{ star_replace(cte_query(ctes ~ ctes_unioned, 'unioned'), [
            ('pricing_unit', 'coalesce(pu.focus_unit, u.pricing_unit)'),
            ('consumed_unit', 'coalesce(cu.focus_unit, u.consumed_unit)'),
            ('commitment_discount_unit', 'coalesce(du.focus_unit, u.commitment_discount_unit)'),
            ('sku_id', "case when u.charge_category = 'Tax' then null else u.sku_id end"),
            ('sku_meter', "case when u.charge_category = 'Tax' then null else u.sku_meter end"),
        ], 'u') }},
        u.provider_name as invoice_issuer_name,
        cast(u.charge_period_start as date) as charge_date
    from unioned as u
    left join unit_map as pu on pu.provider = u.provider and pu.raw_unit = u.pricing_unit
    left join unit_map as cu on cu.provider = u.provider and cu.raw_unit = u.consumed_unit
    left join unit_map as du on du.provider = u.provider and du.raw_unit = u.commitment_discount_unit
)

select * from final
