{{ config(materialized='view') }}
{#- FOCUS 1.2 CostAndUsage dataset with the exact column names (plus x_ extension columns), for
    focus-validator and any FOCUS-reading tool. Display strings are folded to ASCII as FOCUS
    StringHandling asks (fct_charges keeps the provider's original text). -#}
with

charges as (select * from {{ ref('fct_charges') }}),

final as (
    select
        availability_zone as "AvailabilityZone",
        billed_cost as "BilledCost",
        billing_account_id as "BillingAccountId",
        {{ focus_ascii("billing_account_name") }} as "BillingAccountName",
        billing_account_type as "BillingAccountType",
        billing_currency as "BillingCurrency",
        billing_period_end as "BillingPeriodEnd",
        billing_period_start as "BillingPeriodStart",
        charge_category as "ChargeCategory",
        charge_class as "ChargeClass",
        {{ focus_ascii("charge_description") }} as "ChargeDescription",
        charge_frequency as "ChargeFrequency",
        charge_period_end as "ChargePeriodEnd",
        charge_period_start as "ChargePeriodStart",
        commitment_discount_category as "CommitmentDiscountCategory",
        commitment_discount_id as "CommitmentDiscountId",
        {{ focus_ascii("commitment_discount_name") }} as "CommitmentDiscountName",
        commitment_discount_quantity as "CommitmentDiscountQuantity",
        commitment_discount_status as "CommitmentDiscountStatus",
        commitment_discount_type as "CommitmentDiscountType",
        commitment_discount_unit as "CommitmentDiscountUnit",
        consumed_quantity as "ConsumedQuantity",
        consumed_unit as "ConsumedUnit",
        contracted_cost as "ContractedCost",
        contracted_unit_price as "ContractedUnitPrice",
        effective_cost as "EffectiveCost",
        invoice_id as "InvoiceId",
        invoice_issuer_name as "InvoiceIssuerName",
        list_cost as "ListCost",
        list_unit_price as "ListUnitPrice",
        pricing_category as "PricingCategory",
        -- prices are denominated in the billing currency for every charge we ingest
        billing_currency as "PricingCurrency",
        contracted_unit_price as "PricingCurrencyContractedUnitPrice",
        effective_cost as "PricingCurrencyEffectiveCost",
        list_unit_price as "PricingCurrencyListUnitPrice",
        pricing_quantity as "PricingQuantity",
        pricing_unit as "PricingUnit",
        provider_name as "ProviderName",
        {{ focus_ascii("publisher_name") }} as "PublisherName",
        region_id as "RegionId",
        {{ focus_ascii("region_name") }} as "RegionName",
        resource_id as "ResourceId",
        {{ focus_ascii("resource_name") }} as "ResourceName",
        resource_type as "ResourceType",
        service_category as "ServiceCategory",
        {{ focus_ascii("service_name") }} as "ServiceName",
        service_subcategory as "ServiceSubcategory",
        sku_id as "SkuId",
        {{ focus_ascii("sku_meter") }} as "SkuMeter",
        sku_price_id as "SkuPriceId",
        cast(null as varchar) as "SkuPriceDetails",
        sub_account_id as "SubAccountId",
        {{ focus_ascii("sub_account_name") }} as "SubAccountName",
        sub_account_type as "SubAccountType",
        tags_json as "Tags",
        team_id as "x_TeamId",
        business_unit_id as "x_BusinessUnitId",
        business_group_id as "x_BusinessGroupId",
        attribution_method as "x_AttributionMethod",
        normalized_tags_json as "x_NormalizedTags",
        source_file as "x_SourceFile",
        source_row as "x_SourceRow"
    from charges
)

select * from final
