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
  {{ return(loaded_typed_table('ml__' ~ table, empty_columns)) }}
{%- endmacro %}

{#- Elsewhere (Postgres): the table ingest/pg_load.py loaded into the lake schema, its columns cast
    to the typed empty relation's and matched by name (what DuckDB's `union all by name` does);
    columns the empty relation does not name follow, as loaded. -#}
{% macro loaded_typed_table(name, empty_columns) -%}
  {%- set rel = lake_table(name) -%}
  {%- if rel is none -%}{{ return("(select " ~ empty_columns ~ " where false) as " ~ sql_ident(name)) }}{%- endif -%}
  {%- set have = adapter.get_columns_in_relation(rel) | map(attribute='name') | list -%}
  {%- set typed = modules.re.findall('null::([a-z0-9_]+(?:\\([0-9, ]+\\))?) as ([a-z0-9_]+)', empty_columns) -%}
  {%- set names = typed | map(attribute=1) | list -%}
  {%- set cols = [] -%}
  {%- for type, name in typed -%}
    {%- if name in have -%}
      {%- do cols.append("cast(" ~ sql_ident(name) ~ " as " ~ type ~ ") as " ~ sql_ident(name)) -%}
    {%- else -%}
      {%- do cols.append("cast(null as " ~ type ~ ") as " ~ sql_ident(name)) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- for c in have if c not in names -%}{%- do cols.append(sql_ident(c)) -%}{%- endfor -%}
  {{ return("(select " ~ cols | join(", ") ~ " from " ~ rel ~ ") as " ~ sql_ident(name)) }}
{%- endmacro %}
