{#- Nested lake columns (MAP, STRUCT, LIST). DuckDB reads them natively; the Postgres loader
    (ingest/pg_load.py) stores them as DuckDB's JSON text, read here with jsonb operators. -#}

{#- map['key'] -#}
{% macro map_get(col, key) -%}{{ return(adapter.dispatch('map_get', 'sibyl')(col, key)) }}{%- endmacro %}
{% macro duckdb__map_get(col, key) -%}{{ col }}[{{ sql_string(key) }}]{%- endmacro %}
{% macro default__map_get(col, key) -%}(cast({{ col }} as jsonb) ->> {{ sql_string(key) }}){%- endmacro %}

{#- struct.field (as text on Postgres; the models cast what they need) -#}
{% macro struct_get(col, field) -%}{{ return(adapter.dispatch('struct_get', 'sibyl')(col, field)) }}{%- endmacro %}
{% macro duckdb__struct_get(col, field) -%}{{ col }}.{{ field }}{%- endmacro %}
{% macro default__struct_get(col, field) -%}(cast({{ col }} as jsonb) ->> {{ sql_string(field) }}){%- endmacro %}

{#- A nested column as JSON text. -#}
{% macro nested_json(col) -%}{{ return(adapter.dispatch('nested_json', 'sibyl')(col)) }}{%- endmacro %}
{% macro duckdb__nested_json(col) -%}to_json({{ col }})::varchar{%- endmacro %}
{% macro default__nested_json(col) -%}cast({{ col }} as varchar){%- endmacro %}

{#- list_filter(list, lambda var: predicate), parenthesised so it can be subscripted. -#}
{% macro list_where(list, var, predicate) -%}{{ return(adapter.dispatch('list_where', 'sibyl')(list, var, predicate)) }}{%- endmacro %}
{% macro duckdb__list_where(list, var, predicate) -%}(list_filter({{ list }}, lambda {{ var }}: {{ predicate }})){%- endmacro %}
{% macro default__list_where(list, var, predicate) -%}
(array(select {{ var }} from unnest({{ list }}) with ordinality as _lw({{ var }}, _lw_i) where {{ predicate }} order by _lw_i))
{%- endmacro %}

{#- An empty list of a type. -#}
{% macro empty_list(type) -%}{{ return(adapter.dispatch('empty_list', 'sibyl')(type)) }}{%- endmacro %}
{% macro duckdb__empty_list(type) -%}[]{%- endmacro %}
{% macro default__empty_list(type) -%}cast(array[] as {{ type }}[]){%- endmacro %}

{#- A JSON list of {"key", "value"} objects (GCP labels) as one JSON object text; null for null. -#}
{% macro kv_list_json_object(expr) -%}{{ return(adapter.dispatch('kv_list_json_object', 'sibyl')(expr)) }}{%- endmacro %}
{% macro duckdb__kv_list_json_object(expr) -%}
to_json(map_from_entries(from_json({{ expr }}, '[{"key":"VARCHAR","value":"VARCHAR"}]')))::varchar
{%- endmacro %}
{% macro default__kv_list_json_object(expr) -%}
(case when {{ expr }} is not null then (select cast(coalesce(jsonb_object_agg(e ->> 'key', e ->> 'value'), '{}'::jsonb) as varchar)
   from jsonb_array_elements(cast({{ expr }} as jsonb)) as e) end)
{%- endmacro %}

{#- A JSON object text merged with a MAP column's entries, keys prefixed (AWS cost categories become
    cost_category/<name> tags). -#}
{% macro json_merge_prefixed_map(json_text, map_col, prefix) -%}
  {{ return(adapter.dispatch('json_merge_prefixed_map', 'sibyl')(json_text, map_col, prefix)) }}
{%- endmacro %}
{% macro duckdb__json_merge_prefixed_map(json_text, map_col, prefix) -%}
json_merge_patch({{ json_text }}, coalesce(to_json(map_from_entries(list_transform(map_entries({{ map_col }}),
    lambda e: {'key': {{ sql_string(prefix) }} || e.key, 'value': e.value})))::varchar, '{}'))::varchar
{%- endmacro %}
{% macro default__json_merge_prefixed_map(json_text, map_col, prefix) -%}
cast(cast({{ json_text }} as jsonb) || coalesce((select jsonb_object_agg({{ sql_string(prefix) }} || m.key, m.value)
    from jsonb_each(cast({{ map_col }} as jsonb)) as m), '{}'::jsonb) as varchar)
{%- endmacro %}

{#- A list of records: DuckDB parses the JSON text into a list of structs of `shape`; Postgres keeps
    a jsonb array (struct_get reads its fields). Empty list when null. -#}
{% macro record_list(expr, shape) -%}{{ return(adapter.dispatch('record_list', 'sibyl')(expr, shape)) }}{%- endmacro %}
{% macro duckdb__record_list(expr, shape) -%}coalesce(from_json({{ expr }}, {{ sql_string(shape) }}), []){%- endmacro %}
{% macro default__record_list(expr, shape) -%}coalesce(cast({{ expr }} as jsonb), '[]'::jsonb){%- endmacro %}

{#- One row per element (select-list set-returning function), and its 1-based position. -#}
{% macro record_list_unnest(expr) -%}{{ return(adapter.dispatch('record_list_unnest', 'sibyl')(expr)) }}{%- endmacro %}
{% macro duckdb__record_list_unnest(expr) -%}unnest({{ expr }}){%- endmacro %}
{% macro default__record_list_unnest(expr) -%}jsonb_array_elements({{ expr }}){%- endmacro %}
{% macro record_list_index(expr) -%}{{ return(adapter.dispatch('record_list_index', 'sibyl')(expr)) }}{%- endmacro %}
{% macro duckdb__record_list_index(expr) -%}generate_subscripts({{ expr }}, 1){%- endmacro %}
{% macro default__record_list_index(expr) -%}generate_series(1, jsonb_array_length({{ expr }})){%- endmacro %}

{#- A JSON value as text (a string without its quotes). -#}
{% macro json_root_text(expr) -%}{{ return(adapter.dispatch('json_root_text', 'sibyl')(expr)) }}{%- endmacro %}
{% macro duckdb__json_root_text(expr) -%}{{ expr }} ->> '$'{%- endmacro %}
{% macro default__json_root_text(expr) -%}({{ expr }} #>> '{}'){%- endmacro %}

{#- A double read from a nested column as decimal(38, 10), the same number on both engines. -#}
{% macro double_as_decimal(expr) -%}{{ return(adapter.dispatch('double_as_decimal', 'sibyl')(expr)) }}{%- endmacro %}
{% macro duckdb__double_as_decimal(expr) -%}try_cast({{ expr }} as decimal(38, 10)){%- endmacro %}
{% macro default__double_as_decimal(expr) -%}
public.sibyl_double_to_decimal(public.sibyl_try_cast(cast({{ expr }} as text), cast(null as double precision)))
{%- endmacro %}

{#- A JSON object text of (key literal, value expression) pairs, pairs whose value is null or ''
    left out; '{}' when none is left. -#}
{% macro json_object_nonempty(pairs) -%}{{ return(adapter.dispatch('json_object_nonempty', 'sibyl')(pairs)) }}{%- endmacro %}
{% macro duckdb__json_object_nonempty(pairs) -%}
to_json(map_from_entries(list_filter([
  {%- for key, value in pairs %}
      {'key': {{ key }}, 'value': cast({{ value }} as varchar)}{{ "," if not loop.last }}
  {%- endfor %}
    ], lambda e: e.value is not null and e.value <> '')))::varchar
{%- endmacro %}
{% macro default__json_object_nonempty(pairs) -%}
(select cast(coalesce(jsonb_object_agg(_kv.k, _kv.v), '{}'::jsonb) as varchar) from (values
  {%- for key, value in pairs %}
      ({{ key }}, cast({{ value }} as varchar)){{ "," if not loop.last }}
  {%- endfor %}
    ) as _kv(k, v) where _kv.v is not null and _kv.v <> '')
{%- endmacro %}
