{#- The AI fact tables Sibyl's AI ingest writes under <lake>/ai/<table>/ (ingest/ai/pipeline.py):
    a read_parquet over them, by name over a typed empty relation, or just the empty relation
    before any AI data has arrived (so every model builds on a lake without AI files). -#}
{% macro ai_table(table, empty_columns) -%}
  {{ return(adapter.dispatch('ai_table', 'sibyl')(table, empty_columns)) }}
{%- endmacro %}

{% macro duckdb__ai_table(table, empty_columns) -%}
  {%- set pattern = var('lake_root') ~ '/ai/' ~ table ~ '/*.parquet' -%}
  {%- if execute -%}
    {%- set found = run_query("select count(*) from glob(" ~ sql_string(pattern) ~ ")").columns[0].values()[0] -%}
    {%- if found > 0 -%}
      {{ return("(select " ~ empty_columns ~ " where false union all by name select * from read_parquet(" ~ sql_string(pattern) ~ ", union_by_name = true, hive_partitioning = false))") }}
    {%- endif -%}
  {%- endif -%}
  {{ return("(select " ~ empty_columns ~ " where false)") }}
{%- endmacro %}

{% macro default__ai_table(table, empty_columns) -%}
  {{ return(loaded_typed_table('ai__' ~ table, empty_columns)) }}
{%- endmacro %}

{#- True for AI providers that bill directly (OpenAI, Anthropic, ...): their spend enters
    fct_charges from the AI sources. Bedrock, Azure OpenAI and Vertex AI bill through the cloud
    invoice, whose lines are in fct_charges already. -#}
{% macro ai_billed_directly(col) -%}
  ({{ col }} not in ('bedrock', 'bedrock_converse', 'azure', 'azure_ai', 'azure_openai', 'sagemaker') and {{ col }} not like 'vertex_ai%')
{%- endmacro %}
