{#- An ML table written back by the Dagster ML assets (<lake>/ml/<table>/**.parquet), or an empty
    relation with the given typed columns when the asset has not run yet. -#}
{% macro ml_table(table, empty_columns) -%}
  {{ return(adapter.dispatch('ml_table', 'sibyl')(table, empty_columns)) }}
{%- endmacro %}

{% macro duckdb__ml_table(table, empty_columns) -%}
  {%- set pattern = var('lake_root') ~ '/ml/' ~ table ~ '/**/*.parquet' -%}
  {%- if execute -%}
    {%- set found = run_query("select count(*) from glob(" ~ sql_string(pattern) ~ ")").columns[0].values()[0] -%}
    {%- if found > 0 -%}
      {#- by name over the typed empty relation: a file written without rows or columns (no
          budgets configured) still yields every column -#}
      {{ return("(select " ~ empty_columns ~ " where false union all by name select * from read_parquet(" ~ sql_string(pattern) ~ ", union_by_name = true, hive_partitioning = false))") }}
    {%- endif -%}
  {%- endif -%}
  {{ return("(select " ~ empty_columns ~ " where false)") }}
{%- endmacro %}

{% macro default__ml_table(table, empty_columns) -%}
  {{ exceptions.raise_compiler_error("ML tables are read from the lake by DuckDB; on " ~ target.type ~ " load them first (not supported yet).") }}
{%- endmacro %}
