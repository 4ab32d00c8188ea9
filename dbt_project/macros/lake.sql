{#
  Reading the Parquet lake written by ingest/ (raw/<provider>/billing_period=YYYY-MM/<variant>__*.parquet).

  lake_source(provider, variant) returns {relation, columns}: a read_parquet over every lake file of
  that export variant, or an empty relation when none has been ingested yet, so models build on a
  partial lake. Columns are discovered at run time; lake_col() emits a typed null for a column the
  variant's files do not have (legacy CUR has no ResourceId unless resource ids were enabled, ...).
#}
{% macro lake_source(provider, variant) -%}
  {{ return(adapter.dispatch('lake_source', 'sibyl')(provider, variant)) }}
{%- endmacro %}

{% macro duckdb__lake_source(provider, variant) -%}
  {%- set pattern = var('lake_root') ~ '/raw/' ~ provider ~ '/*/' ~ variant ~ '__*.parquet' -%}
  {%- if execute -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] -%}
    {%- if found > 0 -%}
      {%- set rel = "read_parquet('" ~ pattern ~ "', union_by_name = true)" -%}
      {%- set cols = run_query("describe select * from " ~ rel).columns[0].values() -%}
      {{ return({'relation': rel, 'columns': cols | list}) }}
    {%- endif -%}
  {%- endif -%}
  {{ return({'relation': "(select null::varchar as _source_file, null::bigint as _source_row, null::varchar as _schema_variant, null::varchar as _dataset, null::varchar as _dataset_type where false) as _no_lake_files", 'columns': [], 'empty': true}) }}
{%- endmacro %}

{% macro default__lake_source(provider, variant) -%}
  {{ exceptions.raise_compiler_error("The lake is read by DuckDB; on " ~ target.type ~ " load the lake into the raw schema first (not supported yet).") }}
{%- endmacro %}

{# A raw column cast to a type, or a typed NULL when the files do not have it. #}
{% macro lake_col(src, name, type='varchar') -%}
  {%- if name in src.columns -%}
    try_cast("{{ name | replace('"', '""') }}" as {{ type }})
  {%- else -%}
    cast(null as {{ type }})
  {%- endif -%}
{%- endmacro %}

{# Where-clause that keeps no rows when the variant has no files. #}
{% macro lake_filter(src) -%}
  {%- if src.get('empty') %} false {% else %} true {% endif -%}
{%- endmacro %}

{# Raw tag columns (legacy CUR "resourceTags/user:Team", Athena "resource_tags_user_team") as a JSON object. #}
{% macro tag_columns_json(src, prefix, key_prefix_to_drop) -%}
  {%- set tag_cols = [] -%}
  {%- for c in src.columns if c.startswith(prefix) and c != 'resource_tags' -%}
    {%- do tag_cols.append(c) -%}
  {%- endfor -%}
  {%- if tag_cols | length == 0 -%}
    '{}'
  {%- else -%}
    to_json(map_from_entries(list_filter([
      {%- for c in tag_cols %}
      {'key': '{{ c[key_prefix_to_drop | length:] }}', 'value': cast("{{ c }}" as varchar)}{{ "," if not loop.last }}
      {%- endfor %}
    ], lambda e: e.value is not null and e.value <> '')))::varchar
  {%- endif -%}
{%- endmacro %}

{# Control totals written by ingest next to every lake file (the reconciliation's raw side). #}
{% macro lake_control_totals() -%}
  {%- set pattern = var('lake_root') ~ '/_control/*/*/*.json' -%}
  {%- if execute -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] -%}
    {%- if found > 0 -%}
      {{ return("read_json('" ~ pattern ~ "', columns = {provider: 'VARCHAR', billing_period: 'VARCHAR', variant: 'VARCHAR', dataset: 'VARCHAR', dataset_type: 'VARCHAR', rows: 'BIGINT', billed_total: 'VARCHAR', currency: 'VARCHAR'})") }}
    {%- endif -%}
  {%- endif -%}
  {{ return("(select null::varchar as provider, null::varchar as billing_period, null::varchar as variant, null::varchar as dataset, null::varchar as dataset_type, null::bigint as rows, null::varchar as billed_total, null::varchar as currency where false)") }}
{%- endmacro %}

{# Money: one decimal type everywhere (FOCUS Decimal; exports carry up to 10 decimals). #}
{% macro money(expr) -%}
  cast({{ expr }} as decimal(38, 10))
{%- endmacro %}

{# Incremental window: the billing periods passed as vars, or everything. #}
{% macro billing_period_filter(column) -%}
  {%- set periods = var('billing_periods', []) -%}
  {%- if periods | length > 0 -%}
    strftime({{ column }}, '%Y-%m') in ({%- for p in periods %}'{{ p }}'{{ "," if not loop.last }}{% endfor -%})
  {%- else -%}
    true
  {%- endif -%}
{%- endmacro %}

{# GCP flattened CSV stores lists as Python literals ([{'key': 'a', 'value': None}]): make JSON. #}
{% macro python_literal_to_json(expr) -%}
  replace(replace(replace(replace({{ expr }}, '''', '"'), ': None', ': null'), ': True', ': true'), ': False', ': false')
{%- endmacro %}

{# FOCUS StringHandling: display strings in ASCII (accents folded, symbols such as ® dropped). #}
{% macro focus_ascii(expr) -%}
  regexp_replace(strip_accents({{ expr }}), '[^\x00-\x7F]', '', 'g')
{%- endmacro %}
