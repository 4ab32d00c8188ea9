{#- Shared-cost allocation helpers (models/marts/finops/fct_charges_allocated.sql). -#}

{#- The string value of a top-level key of a JSON object text (null when absent). -#}
{% macro json_get_text(json_expr, key_expr) -%}
  {{ return(adapter.dispatch('json_get_text')(json_expr, key_expr)) }}
{%- endmacro %}

{% macro duckdb__json_get_text(json_expr, key_expr) -%}
  json_extract_string({{ json_expr }}, '$."' || {{ key_expr }} || '"')
{%- endmacro %}

{% macro default__json_get_text(json_expr, key_expr) -%}
  (cast({{ json_expr }} as json) ->> {{ key_expr }})
{%- endmacro %}

{#- Does charge `c` fall in the scope (dimension, value)? dimension is one of service, resource,
    account, tag (value `key=value` on the normalized tags), charge_category, provider. -#}
{% macro allocation_scope_match(c, dimension, value) -%}
  (case {{ dimension }}
     when 'service' then {{ c }}.service_name = {{ value }}
     when 'resource' then {{ c }}.resource_id = {{ value }}
     when 'account' then {{ c }}.sub_account_id = {{ value }}
     when 'charge_category' then {{ c }}.charge_category = {{ value }}
     when 'provider' then {{ c }}.provider = {{ value }}
     when 'tag' then {{ json_get_text(c ~ '.normalized_tags_json', "split_part(" ~ value ~ ", '=', 1)") }}
                     = substr({{ value }}, length(split_part({{ value }}, '=', 1)) + 2)
     else false
   end)
{%- endmacro %}

{#- A JSON object text from alternating key, value SQL expressions (the engine builds the JSON). -#}
{% macro json_object_text(args) -%}
  {{ return(adapter.dispatch('json_object_text')(args)) }}
{%- endmacro %}

{% macro duckdb__json_object_text(args) -%}
  cast(json_object({{ args | join(', ') }}) as varchar)
{%- endmacro %}

{% macro default__json_object_text(args) -%}
  cast(json_build_object({{ args | join(', ') }}) as text)
{%- endmacro %}

{#- a = b where two nulls are equal, as a join condition the engine can hash: DuckDB hashes
    IS NOT DISTINCT FROM; Postgres hashes only plain equality, so it joins on the coalesced values
    and checks nullness alongside (a null and an empty string stay different). -#}
{% macro null_safe_equal(a, b) -%}
  {{ return(adapter.dispatch('null_safe_equal')(a, b)) }}
{%- endmacro %}

{% macro duckdb__null_safe_equal(a, b) -%}
  {{ a }} is not distinct from {{ b }}
{%- endmacro %}

{% macro default__null_safe_equal(a, b) -%}
  (coalesce({{ a }}, '') = coalesce({{ b }}, '') and ({{ a }} is null) = ({{ b }} is null))
{%- endmacro %}

{#- Join condition: relations `a` and `b` agree on every column of `columns` (nulls equal). -#}
{% macro scope_join(a, b, columns) -%}
  {%- for col in columns -%}
    {{ null_safe_equal(a ~ '.' ~ col, b ~ '.' ~ col) }}{{ ' and ' if not loop.last }}
  {%- endfor -%}
{%- endmacro %}
