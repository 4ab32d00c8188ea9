{#- The cloud bills' AI token lines in SQL (fct_ai_cloud_lines), the rules of ingest/ai/cloud.py
    (classify, unit_multiplier) in a form DuckDB (RE2) and Postgres (AREs) read alike: text
    lowercased instead of case-insensitive patterns, no lookahead, no \b. The Python functions stay
    the reference: tests compare the two on the same lines (dbt unit test in _ai_marts.yml,
    tests/e2e/test_postgres_parity.py). -#}

{#- The token type a meter's lowercased text names (Python _kind), else null. -#}
{% macro ai_cloud_token_kind(t) -%}
case
    when {{ t }} like '%cache%' and ({{ t }} like '%read%' or {{ t }} like '%cached%' or {{ t }} like '%cchd%') then 'cache_read'
    when {{ t }} like '%cached%' or {{ t }} like '%cchd%' then 'cache_read'
    when {{ t }} like '%cache%' and ({{ t }} like '%write%' or {{ t }} like '%creation%') then 'cache_write_5m'
    when {{ regexp_search(t, '(^|[-\\s_])(outp|output|out)([-\\s_]|$)') }} then 'output'
    when {{ regexp_search(t, '(^|[-\\s_])(inp|input|in)([-\\s_]|$)') }} then 'input'
end
{%- endmacro %}

{#- The model name: the text before the first of `words` found past its first character (Python
    _model_before), trimmed of ' -_', runs of spaces and underscores as '-', lowercased. -#}
{% macro ai_cloud_model_before(text, low, words) -%}
lower(regexp_replace(regexp_replace(substr({{ text }}, 1, coalesce(least(
  {%- for w in words %}
    case when strpos({{ low }}, {{ sql_string(w) }}) > 1 then strpos({{ low }}, {{ sql_string(w) }}) - 1 end{{ "," if not loop.last }}
  {%- endfor %}
), length({{ text }}))), '^[ _-]+|[ _-]+$', '', 'g'), '[\s_]+', '-', 'g'))
{%- endmacro %}

{#- Tokens per unit of a bill's quantity (Python unit_multiplier): '1000 Tokens', '1K tokens' ->
    1000, '1M' -> 1,000,000, a bare unit ('Tokens', 'Count') -> 1. -#}
{% macro ai_cloud_unit_multiplier(unit) -%}
  {%- set pattern = '^\\s*([0-9]+(\\.[0-9]+)?)\\s*([km])?(\\W|$)' -%}
  {%- set u = "lower(coalesce(" ~ unit ~ ", ''))" -%}
case when {{ regexp_search(u, pattern) }} then greatest(1, floor(
    cast(regexp_extract({{ u }}, {{ sql_string(pattern) }}, 1) as double)
    * case regexp_extract({{ u }}, {{ sql_string(pattern) }}, 3) when 'k' then 1000 when 'm' then 1000000 else 1 end))
else 1 end
{%- endmacro %}
