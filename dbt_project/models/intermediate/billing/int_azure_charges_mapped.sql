{#-
  Azure cost details -> FOCUS 1.2 charges, combining actual and amortized exports without double
  counting (per billing account and billing period):
  - actual rows are kept: BilledCost = Cost (the invoice). Commitment purchases (reservation /
    savings plan, ChargeType Purchase) get EffectiveCost 0: their cost is amortized onto usage.
  - when an amortized export exists, its commitment-covered usage and UnusedReservation /
    UnusedSavingsPlan rows bring EffectiveCost (BilledCost 0). The matching actual rows of
    commitment-covered usage carry Cost 0 and are left out (dbt test: they sum to 0).
  - when only an amortized export exists, all its rows are used; BilledCost is 0 on
    commitment rows and purchases are unknown (reconciliation compares against that export).
-#}
with

details as (
    select * from {{ ref('stg_azure__cost_details') }}
),

services as (
    select * from {{ ref('service_categories') }} where provider = 'azure'
),

regions as (
    select lower(replace("OriginalValue", ' ', '')) as original_value,
           any_value("RegionId") as region_id,
           any_value("RegionName") as region_name
    from {{ ref('azure_regions') }}
    group by 1
),

flagged as (
    select
        d.*,
        d.pricing_model in ('Reservation', 'SavingsPlan') and d.charge_type = 'Usage' as is_commitment_usage,
        d.charge_type in ('UnusedReservation', 'UnusedSavingsPlan') as is_unused_commitment,
        d.pricing_model in ('Reservation', 'SavingsPlan') and d.charge_type in ('Purchase', 'Refund') as is_commitment_purchase
    from details as d
),

datasets as (
    select
        billing_account_id,
        billing_period,
        bool_or(dataset_type = 'actual') as has_actual,
        bool_or(dataset_type = 'amortized') as has_amortized
    from flagged
    group by 1, 2
),

selected as (
    select f.*, ds.has_actual, ds.has_amortized
    from flagged as f
    inner join datasets as ds
        on ds.billing_account_id = f.billing_account_id and ds.billing_period = f.billing_period
    where (f.dataset_type = 'actual' and not (ds.has_amortized and f.is_commitment_usage))
       or (f.dataset_type = 'amortized' and (not ds.has_actual or f.is_commitment_usage or f.is_unused_commitment))
),

charges as (
    select
        'azure:' || s.source_file || ':' || s.source_row as charge_id,
        s.source_file,
        s.source_row,
        s.schema_variant,
        'Microsoft' as provider_name,
        coalesce(s.publisher_name, 'Microsoft') as publisher_name,
        s.invoice_id,
        s.billing_account_id,
        coalesce(s.billing_account_name, s.billing_account_id) as billing_account_name,
        case when s.schema_generation = 'ea' then 'Enrollment' else 'Billing Account' end as billing_account_type,
        s.subscription_id as sub_account_id,
        coalesce(s.subscription_name, s.subscription_id) as sub_account_name,
        case when s.subscription_id is not null then 'Subscription' end as sub_account_type,
        s.billing_period,
        cast(s.billing_period as timestamp) as billing_period_start,
        cast(coalesce(s.billing_period_last_day + 1, s.billing_period + interval '1 month') as timestamp) as billing_period_end,
        cast(s.charge_date as timestamp) as charge_period_start,
        cast(s.charge_date + 1 as timestamp) as charge_period_end,
        case
            when s.charge_type in ('Usage', 'UnusedReservation', 'UnusedSavingsPlan') then 'Usage'
            when s.charge_type = 'Purchase' then 'Purchase'
            when s.charge_type = 'Tax' then 'Tax'
            when s.charge_type = 'Credit' then 'Credit'
            else 'Adjustment'
        end as charge_category,
        cast(null as varchar) as charge_class,
        coalesce(s.product, s.meter_name) as charge_description,
        case s.frequency when 'Recurring' then 'Recurring' when 'OneTime' then 'One-Time' else 'Usage-Based' end as charge_frequency,
        {{ money("""case
            when s.dataset_type = 'actual' then s.cost
            when s.is_commitment_usage or s.is_unused_commitment then 0
            else s.cost
        end""") }} as billed_cost,
        {{ money("""case
            when s.is_commitment_purchase then 0
            when s.dataset_type = 'actual' and s.is_commitment_usage then 0
            else s.cost
        end""") }} as effective_cost,
        {{ money("""case
            when s.is_unused_commitment then 0
            when s.charge_type = 'Usage' and coalesce(s.payg_price, 0) > 0 then s.payg_price * coalesce(s.quantity, 0)
            else s.cost
        end""") }} as list_cost,
        {{ money("""case
            when s.is_unused_commitment then 0
            when s.charge_type = 'Usage' and coalesce(s.unit_price, 0) > 0 then s.unit_price * coalesce(s.quantity, 0)
            else s.cost
        end""") }} as contracted_cost,
        case when s.charge_type in ('Usage', 'Purchase', 'UnusedReservation', 'UnusedSavingsPlan') then
            case when s.is_unused_commitment then 0
                 when s.charge_type = 'Usage' and coalesce(s.payg_price, 0) > 0 then s.payg_price
                 when coalesce(s.quantity, 0) = 0 then 0
                 else cast(s.cost / s.quantity as decimal(38, 10)) end
        end as list_unit_price,
        case when s.charge_type in ('Usage', 'Purchase', 'UnusedReservation', 'UnusedSavingsPlan') then
            case when s.is_unused_commitment then 0
                 when s.charge_type = 'Usage' and coalesce(s.unit_price, 0) > 0 then s.unit_price
                 when coalesce(s.quantity, 0) = 0 then 0
                 else cast(s.cost / s.quantity as decimal(38, 10)) end
        end as contracted_unit_price,
        s.billing_currency,
        case
            when s.charge_type not in ('Usage', 'Purchase', 'UnusedReservation', 'UnusedSavingsPlan') then null
            when s.is_commitment_usage or s.is_unused_commitment then 'Committed'
            when s.pricing_model = 'Spot' then 'Dynamic'
            else 'Standard'
        end as pricing_category,
        case when s.charge_type in ('Usage', 'Purchase', 'UnusedReservation', 'UnusedSavingsPlan') then coalesce(s.quantity, 0) end as pricing_quantity,
        case when s.charge_type in ('Usage', 'Purchase', 'UnusedReservation', 'UnusedSavingsPlan') then coalesce(s.unit_of_measure, 'Units') end as pricing_unit,
        case when s.charge_type = 'Usage' then coalesce(s.quantity, 0) end as consumed_quantity,
        case when s.charge_type = 'Usage' then coalesce(s.unit_of_measure, 'Units') end as consumed_unit,
        coalesce(sv.service_name, s.meter_category, s.consumed_service) as service_name,
        coalesce(sv.service_category, 'Other') as service_category,
        coalesce(sv.service_subcategory, 'Other (Other)') as service_subcategory,
        coalesce(r.region_id, s.resource_location) as region_id,
        coalesce(r.region_name, s.meter_region, s.resource_location) as region_name,
        s.availability_zone,
        s.resource_id,
        case when s.resource_id is not null then coalesce(s.resource_name, regexp_extract(s.resource_id, '([^/]+)/?$', 1)) end as resource_name,
        case when s.resource_id is not null
            then coalesce(nullif(regexp_extract(s.resource_id, '/providers/([^/]+/[^/]+)', 1), ''), s.consumed_service, 'Resource') end as resource_type,
        case when s.charge_type in ('Usage', 'Purchase', 'UnusedReservation', 'UnusedSavingsPlan')
            then coalesce(s.meter_id, s.part_number, s.benefit_id, s.reservation_id, s.product) end as sku_id,
        case when s.charge_type in ('Usage', 'Purchase', 'UnusedReservation', 'UnusedSavingsPlan')
            then coalesce(s.meter_id, s.part_number, s.benefit_id, s.reservation_id, s.product) end as sku_price_id,
        case when s.charge_type in ('Usage', 'Purchase', 'UnusedReservation', 'UnusedSavingsPlan')
            then coalesce(s.meter_name, s.product) end as sku_meter,
        case when s.pricing_model in ('Reservation', 'SavingsPlan') then coalesce(s.benefit_id, s.reservation_id) end as commitment_discount_id,
        case when s.pricing_model in ('Reservation', 'SavingsPlan') and coalesce(s.benefit_id, s.reservation_id) is not null then coalesce(s.benefit_name, s.reservation_name) end as commitment_discount_name,
        case when coalesce(s.benefit_id, s.reservation_id) is null then null when s.pricing_model = 'Reservation' then 'Usage' when s.pricing_model = 'SavingsPlan' then 'Spend' end as commitment_discount_category,
        case when coalesce(s.benefit_id, s.reservation_id) is null then null when s.pricing_model = 'Reservation' then 'Reservation' when s.pricing_model = 'SavingsPlan' then 'Savings Plan' end as commitment_discount_type,
        case
            when coalesce(s.benefit_id, s.reservation_id) is null or s.pricing_model not in ('Reservation', 'SavingsPlan') then null
            when s.is_unused_commitment then 'Unused'
            when s.charge_type = 'Usage' then 'Used'
        end as commitment_discount_status,
        case when s.pricing_model in ('Reservation', 'SavingsPlan') and coalesce(s.benefit_id, s.reservation_id) is not null then coalesce(s.quantity, 0) end as commitment_discount_quantity,
        case when s.pricing_model in ('Reservation', 'SavingsPlan') and coalesce(s.benefit_id, s.reservation_id) is not null then coalesce(s.unit_of_measure, 'Units') end as commitment_discount_unit,
        s.tags_json
    from selected as s
    left join services as sv on sv.service_code = s.meter_category
    left join regions as r on r.original_value = s.resource_location
)

select * from charges
