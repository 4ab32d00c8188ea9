{#- Pre-hook of a model incremental by billing period (delete+insert on billing_period): delete the
    rebuilt periods' rows first, so a period whose restated data gives no row at all keeps none
    (delete+insert alone deletes only the keys the new rows have). A no-op on a first build. -#}
{% macro delete_rebuilt_periods(column='billing_period') -%}
  {%- if is_incremental() -%}
    delete from {{ this }} where {{ billing_period_filter(column) }}
  {%- else -%}
    select 1
  {%- endif -%}
{%- endmacro %}
