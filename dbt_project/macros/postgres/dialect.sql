{#- Syntax DuckDB has and Postgres lacks, one dispatch macro each: the DuckDB spelling on DuckDB
    (so its plans do not change), a portable one elsewhere. -#}

{#- `group by all`; elsewhere the first n select items (the models list their keys first). -#}
{% macro group_by_all(n) -%}
  {{ return(adapter.dispatch('group_by_all', 'sibyl')(n)) }}
{%- endmacro %}
{% macro duckdb__group_by_all(n) -%}group by all{%- endmacro %}
{% macro default__group_by_all(n) -%}group by {% for i in range(1, n + 1) %}{{ i }}{{ ", " if not loop.last }}{% endfor %}{%- endmacro %}

{#- try_cast(expr as type): null when the value does not convert. Postgres: a cast that cannot fail
    (to text, between numeric types) stays a cast; others go through public.sibyl_try_cast. -#}
{% macro try_cast_as(expr, type, source_type=none) -%}
  {{ return(adapter.dispatch('try_cast_as', 'sibyl')(expr, type, source_type)) }}
{%- endmacro %}
{% macro duckdb__try_cast_as(expr, type, source_type=none) -%}try_cast({{ expr }} as {{ type }}){%- endmacro %}
{% macro default__try_cast_as(expr, type, source_type=none) -%}
  {%- set t = type | lower | trim -%}
  {%- set s = (source_type or '') | lower -%}
  {%- set numeric_source = s.startswith('double') or s.startswith('numeric') or s.startswith('bigint') or s.startswith('integer') or s.startswith('real') -%}
  {%- if t in ('varchar', 'text') -%}
    cast({{ expr }} as varchar)
  {%- elif s.startswith('timestamp') and t.startswith('timestamp') -%}
    cast({{ expr }} as {{ type }})
  {%- elif numeric_source and (t.startswith('decimal') or t.startswith('numeric') or t in ('double', 'bigint', 'integer')) -%}
    cast({{ expr }} as {{ type }})
  {%- else -%}
    public.sibyl_try_cast(cast({{ expr }} as text), cast(null as {{ type }}))
  {%- endif -%}
{%- endmacro %}

{#- The latest row per key: DuckDB's qualify; elsewhere distinct on (DuckDB sorts nulls last). -#}
{% macro first_row_per(relation, partition_by, order_by) -%}
  {{ return(adapter.dispatch('first_row_per', 'sibyl')(relation, partition_by, order_by)) }}
{%- endmacro %}
{% macro duckdb__first_row_per(relation, partition_by, order_by) -%}
select * from {{ relation }}
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}
{% macro default__first_row_per(relation, partition_by, order_by) -%}
select distinct on ({{ partition_by }}) * from {{ relation }}
    order by {{ partition_by }}, {% for o in order_by.split(',') %}{{ o }} nulls last{{ ", " if not loop.last }}{% endfor %}
{%- endmacro %}

{#- `alias.* exclude (cols)`: on DuckDB as written; elsewhere the columns of `query` (a relation or
    the SQL of a CTE, asked of the database at compile time) less the excluded ones. -#}
{% macro star_except(query, except, alias=none) -%}
  {{ return(adapter.dispatch('star_except', 'sibyl')(query, except, alias)) }}
{%- endmacro %}
{% macro duckdb__star_except(query, except, alias=none) -%}
  {{ alias ~ '.' if alias }}* exclude ({{ except | join(', ') }})
{%- endmacro %}
{% macro default__star_except(query, except, alias=none) -%}
  {%- if not execute -%}*{%- else -%}
  {%- if query is string -%}
    {%- set cols = get_columns_in_query(query) -%}
  {%- else -%}
    {%- set cols = adapter.get_columns_in_relation(query) | map(attribute='name') | list -%}
  {%- endif -%}
  {%- set drop = except | map('lower') | list -%}
  {%- for c in cols if c | lower not in drop -%}
    {{ alias ~ '.' if alias }}{{ sql_ident(c) }}{{ ", " if not loop.last }}
  {%- endfor -%}
  {%- endif -%}
{%- endmacro %}

{#- The SQL that selects CTE `name` of a model whose leading CTEs are captured in `ctes` (the text
    `with a as (...), b as (...),`): what star_except and union_all_by_name ask the database about
    on Postgres, where a CTE's columns are not known to Jinja. -#}
{% macro cte_query(ctes, name) -%}
  {{ return(ctes ~ "\n_sibyl_probe as (select 1) select * from " ~ name) }}
{%- endmacro %}

{#- `select * from a union all by name select * from b ...`. Elsewhere each branch lists the union's
    columns (first appearance order), null where the branch lacks one. `ctes` as in cte_query. -#}
{% macro union_all_by_name(ctes, names) -%}
  {{ return(adapter.dispatch('union_all_by_name', 'sibyl')(ctes, names)) }}
{%- endmacro %}
{% macro duckdb__union_all_by_name(ctes, names) -%}
  {%- for n in names %}
    select * from {{ n }}{{ "\n    union all by name" if not loop.last }}
  {%- endfor %}
{%- endmacro %}
{% macro default__union_all_by_name(ctes, names) -%}
  {%- if not execute -%}
    {%- for n in names %} select * from {{ n }}{{ " union all" if not loop.last }}{% endfor -%}
  {%- else -%}
    {%- set per = {} -%}
    {%- set all_cols = [] -%}
    {%- set types = {} -%}
    {%- set per_types = {} -%}
    {%- set text_types = ['text', 'character varying', 'varchar', 'unknown'] -%}
    {%- for n in names -%}
      {%- set cols = get_column_schema_from_query(cte_query(ctes, n)) -%}
      {%- do per.update({n: cols | map(attribute='name') | map('lower') | list}) -%}
      {%- for c in cols -%}
        {%- set key = c.name | lower -%}
        {%- if key not in all_cols -%}{%- do all_cols.append(key) -%}{%- endif -%}
        {%- do per_types.update({n ~ '.' ~ key: c.data_type}) -%}
        {#- a branch's untyped null reads as text: the first other type wins -#}
        {%- if key not in types or (types[key] | lower in text_types and c.data_type | lower not in text_types) -%}
          {%- do types.update({key: c.data_type}) -%}
        {%- endif -%}
      {%- endfor -%}
    {%- endfor -%}
    {%- for n in names %}
    select {% for c in all_cols -%}
      {%- if c not in per[n] -%}cast(null as {{ types[c] }})
      {%- elif per_types[n ~ '.' ~ c] != types[c] -%}cast({{ sql_ident(c) }} as {{ types[c] }})
      {%- else -%}{{ sql_ident(c) }}{%- endif %} as {{ sql_ident(c) }}{{ ", " if not loop.last }}
    {%- endfor %} from {{ n }}{{ "\n    union all" if not loop.last }}
    {%- endfor -%}
  {%- endif -%}
{%- endmacro %}

{#- `alias.* replace (expr as col, ...)`: on DuckDB as written; elsewhere every column of `query`
    (as in star_except) in its place, the replaced ones by their expression. `replacements` is a
    list of (column, expression) pairs. -#}
{% macro star_replace(query, replacements, alias) -%}
  {{ return(adapter.dispatch('star_replace', 'sibyl')(query, replacements, alias)) }}
{%- endmacro %}
{% macro duckdb__star_replace(query, replacements, alias) -%}
  {{ alias }}.* replace (
  {%- for col, expr in replacements %}
            {{ expr }} as {{ col }}{{ "," if not loop.last }}
  {%- endfor %}
        )
{%- endmacro %}
{% macro default__star_replace(query, replacements, alias) -%}
  {%- if not execute -%}{{ alias }}.*{%- else -%}
  {%- set by_col = {} -%}
  {%- for col, expr in replacements -%}{%- do by_col.update({col | lower: expr}) -%}{%- endfor -%}
  {%- for c in get_columns_in_query(query) -%}
    {%- if c | lower in by_col -%}{{ by_col[c | lower] }} as {{ sql_ident(c) }}{%- else -%}{{ alias }}.{{ sql_ident(c) }}{%- endif -%}{{ ", " if not loop.last }}
  {%- endfor -%}
  {%- endif -%}
{%- endmacro %}

{#- A JSON object text aggregated from key/value rows in key order (DuckDB: to_json of a map). -#}
{% macro json_object_agg_text(key, value) -%}
  {{ return(adapter.dispatch('json_object_agg_text', 'sibyl')(key, value)) }}
{%- endmacro %}
{% macro duckdb__json_object_agg_text(key, value) -%}
to_json(map_from_entries(list({'key': {{ key }}, 'value': {{ value }}} order by {{ key }})))::varchar
{%- endmacro %}
{% macro default__json_object_agg_text(key, value) -%}
cast(jsonb_object_agg({{ key }}, {{ value }} order by {{ key }}) as varchar)
{%- endmacro %}

{#- The value on the row with the greatest `key`, ties broken by the greatest `tiebreak` in byte
    order (so both engines pick the same row whatever the database's collation); rows whose value
    is null are skipped, as DuckDB's arg_max does. `tiebreak` should be unique (a charge_id). -#}
{% macro arg_max_stable(value, key, tiebreak) -%}
  {{ return(adapter.dispatch('arg_max_stable', 'sibyl')(value, key, tiebreak)) }}
{%- endmacro %}
{% macro duckdb__arg_max_stable(value, key, tiebreak) -%}
arg_max({{ value }}, struct_pack(k := {{ key }}, t := {{ tiebreak }}))
{%- endmacro %}
{% macro default__arg_max_stable(value, key, tiebreak) -%}
(array_agg({{ value }} order by {{ key }} desc, {{ tiebreak }} collate "C" desc)
    filter (where {{ value }} is not null and {{ key }} is not null))[1]
{%- endmacro %}

{#- arg_max_stable for a date or timestamp `key`, with a fixed-size sort key: the greatest `key`,
    ties broken by the greatest md5 of `tiebreak` (in DuckDB its first 64 bits, packed under the
    key's epoch microseconds into one HUGEINT; Postgres orders by the whole md5, which agrees
    unless two tied rows share 64 bits of md5). arg_max_stable's struct key becomes a
    variable-size sort-key blob per row: on 15M groups of 30M rows (1 GB limit) it took 54 s
    where this key took 21 s. The value is still a state: for millions of groups pass a
    fixed-size value (text_hash, below; docs/scale.md). -#}
{% macro arg_max_latest(value, key, tiebreak) -%}
  {{ return(adapter.dispatch('arg_max_latest', 'sibyl')(value, key, tiebreak)) }}
{%- endmacro %}
{% macro duckdb__arg_max_latest(value, key, tiebreak) -%}
arg_max({{ value }}, epoch_us(cast({{ key }} as timestamp))::hugeint * 18446744073709551616
    + ('0x' || left(md5({{ tiebreak }}), 16))::ubigint)
{%- endmacro %}
{% macro default__arg_max_latest(value, key, tiebreak) -%}
(array_agg({{ value }} order by {{ key }} desc, md5({{ tiebreak }}) collate "C" desc)
    filter (where {{ value }} is not null and {{ key }} is not null))[1]
{%- endmacro %}

{#- A 64-bit hash of a text, null for null (DuckDB hash, Postgres hashtextextended): for carrying
    a text through an aggregate as a fixed-size value and joining it back, in one query (the
    hashes of the two engines differ and are never stored). -#}
{% macro text_hash(expr) -%}
  {{ return(adapter.dispatch('text_hash', 'sibyl')(expr)) }}
{%- endmacro %}
{% macro duckdb__text_hash(expr) -%}
case when {{ expr }} is not null then hash({{ expr }}) end
{%- endmacro %}
{% macro default__text_hash(expr) -%}
hashtextextended({{ expr }}, 0)
{%- endmacro %}

{#- Whether a regular expression matches somewhere in `expr` (DuckDB regexp_matches; Postgres `~`,
    whose own regexp_matches returns the matches instead). Write patterns both engines read alike
    (RE2 and Postgres AREs): no lookaround, no \b (\y in AREs), lowercase text instead of (?i). -#}
{% macro regexp_search(expr, pattern) -%}
  {{ return(adapter.dispatch('regexp_search', 'sibyl')(expr, pattern)) }}
{%- endmacro %}
{% macro duckdb__regexp_search(expr, pattern) -%}regexp_matches({{ expr }}, {{ sql_string(pattern) }}){%- endmacro %}
{% macro default__regexp_search(expr, pattern) -%}({{ expr }} ~ {{ sql_string(pattern) }}){%- endmacro %}
