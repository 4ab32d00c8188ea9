{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='billing_period',
    on_schema_change='fail'
) }}
{#- The days each billing period has taggable charges on (usage with a resource id), for
    fct_tag_compliance's incremental run: the days to recompute when periods are rebuilt. A period's
    rebuild keeps the days it had before too (read from this table before it is replaced), so a day
    that a restated month no longer has charges on is recomputed as well (its rows then come only
    from the other periods' charges, or are deleted). Days only accumulate until a full build.
    Grain: billing_period x charge_date. -#}
select distinct billing_period, charge_date
from {{ ref('fct_charges') }}
where resource_id is not null and charge_category = 'Usage'
{% if is_incremental() %}
  and {{ billing_period_filter('billing_period') }}
union
select billing_period, charge_date from {{ this }}
where {{ billing_period_filter('billing_period') }}
{% endif %}
