{# The as-of date of trailing-window marts: var as_of_date, else the latest charge date. #}
{% macro as_of_date_sql() -%}
  {%- if var('as_of_date', '') -%}
    cast('{{ var("as_of_date") }}' as date)
  {%- else -%}
    (select max(charge_date) from {{ ref('fct_daily_costs') }})
  {%- endif -%}
{%- endmacro %}
