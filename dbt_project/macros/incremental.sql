{#- Pre-hook of a model incremental by billing period with the append strategy: delete the rebuilt
    periods' rows, then the run appends their new rows. Unlike delete+insert on billing_period,
    which deletes only the keys the new rows have, a period whose restated data gives no row at all
    keeps none; and the rows are deleted once, not twice. A no-op on a first build. -#}
{% macro delete_rebuilt_periods(column='billing_period') -%}
  {%- if is_incremental() -%}
    delete from {{ this }} where {{ billing_period_filter(column) }}
  {%- else -%}
    select 1
  {%- endif -%}
{%- endmacro %}
