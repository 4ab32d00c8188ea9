{#
  Reading the Parquet lake written by ingest/ (ingest/lake.py): per source and billing period,
  rewritten files raw/<provider>/billing_period=YYYY-MM/<variant>__<dataset>.parquet (lineage
  columns inside) and registered (zero-copy) deliveries raw/.../<variant>__<dataset>/<digest>.parquet,
  whose lineage columns are added here from the partition manifest (_control/...json `registered`)
  and the file's row number, so both kinds read the same.

  lake_source(provider, variant) returns {relation, columns}: a read over every lake file of that
  export variant, or an empty relation when none has been ingested yet, so models build on a
  partial lake. Columns are discovered at run time; lake_col() emits a typed null for a column the
  variant's files do not have (legacy CUR has no ResourceId unless resource ids were enabled, ...).

  Partition pruning: the read keeps only the billing_period=YYYY-MM folders listed in the DuckDB
  variable sibyl_lake_periods when it is set (lake_prune_begin, a pre-hook of the incremental
  models, sets it from rebuild_periods() for that model's own statement only); unset, every
  period is read, so the views stay whole for every other model of the run.
#}
{% macro lake_source(provider, variant) -%}
  {{ return(adapter.dispatch('lake_source', 'sibyl')(provider, variant)) }}
{%- endmacro %}

{% macro duckdb__lake_source(provider, variant) -%}
  {%- set base = var('lake_root') ~ '/raw/' ~ provider ~ '/*/' ~ variant -%}
  {%- set rewritten = base ~ '__*.parquet' -%}
  {%- set registered = base ~ '__*/*.parquet' -%}
  {%- if execute -%}
    {%- set found = run_query("select (select count(*) from glob(" ~ sql_string(rewritten) ~ ")), (select count(*) from glob(" ~ sql_string(registered) ~ "))").rows[0] -%}
    {%- if found[0] > 0 or found[1] > 0 -%}
      {%- set globs = [] -%}
      {%- if found[0] > 0 %}{% do globs.append(sql_string(rewritten)) %}{% endif -%}
      {%- if found[1] > 0 %}{% do globs.append(sql_string(registered)) %}{% endif -%}
      {#- a raw column named billing_period would clash with the hive partition: no pruning then -#}
      {%- set raw_cols = run_query("describe select * from read_parquet([" ~ globs | join(', ') ~ "], union_by_name = true, hive_partitioning = false)").columns[0].values() | list -%}
      {%- set hive = 'billing_period' not in (raw_cols | map('lower') | list) -%}
      {%- set opts = "union_by_name = true, hive_partitioning = true, hive_types = {billing_period: 'VARCHAR'}" if hive else "union_by_name = true, hive_partitioning = false" -%}
      {%- set parts = [] -%}
      {%- if found[0] > 0 -%}
        {%- do parts.append("select * from read_parquet(" ~ sql_string(rewritten) ~ ", " ~ opts ~ ")") -%}
      {%- endif -%}
      {%- if found[1] > 0 -%}
        {%- do parts.append(lake_registered_read(provider, variant, registered, opts)) -%}
      {%- endif -%}
      {%- if hive -%}
        {%- set rel = "(select * exclude (billing_period) from (" ~ parts | join(" union all by name ") ~ ") where " ~ lake_period_pruned('billing_period') ~ ")" -%}
      {%- else -%}
        {%- set rel = "(" ~ parts | join(" union all by name ") ~ ")" -%}
      {%- endif -%}
      {%- set cols = run_query("describe select * from " ~ rel).columns[0].values() -%}
      {{ return({'relation': rel, 'columns': cols | list}) }}
    {%- endif -%}
  {%- endif -%}
  {{ return({'relation': "(select null::varchar as _source_file, null::bigint as _source_row, null::varchar as _schema_variant, null::varchar as _dataset, null::varchar as _dataset_type, null::varchar as _provider, null::varchar as _billing_currency where false) as _no_lake_files", 'columns': [], 'empty': true}) }}
{%- endmacro %}

{#- Registered deliveries with the lineage columns ingest writes into rewritten files: the
    constant ones from the partition manifest (joined by the lake file's name, a digest unique in
    the lake), _source_row from the row's position in the delivered file. -#}
{% macro lake_registered_read(provider, variant, pattern, opts) -%}
  {%- set manifests = var('lake_root') ~ '/_control/' ~ provider ~ '/*/' ~ variant ~ '__*.json' -%}
  {%- set entry = "STRUCT(file VARCHAR, source_file VARCHAR, provider VARCHAR, currency VARCHAR, dataset_type VARCHAR)[]" -%}
  {{ return("select f.* exclude (filename, file_row_number), m.source_file as _source_file, f.file_row_number + 1 as _source_row, cast(m.ingested_at as timestamptz) as _ingested_at, m.variant as _schema_variant, m.dataset as _dataset, m.dataset_type as _dataset_type, m.provider as _provider, m.currency as _billing_currency from read_parquet(" ~ sql_string(pattern) ~ ", " ~ opts ~ ", filename = true, file_row_number = true) as f join (select c.variant, c.dataset, c.ingested_at, unnest(c.registered, recursive := true) from read_json(" ~ sql_string(manifests) ~ ", format = 'auto', columns = {variant: 'VARCHAR', dataset: 'VARCHAR', ingested_at: 'VARCHAR', registered: '" ~ entry ~ "'}) as c where c.variant = " ~ sql_string(variant) ~ ") as m on parse_filename(f.filename) = m.file") }}
{%- endmacro %}

{#- True for the partitions to read: those in the DuckDB variable sibyl_lake_periods, or all of
    them when it is not set (DuckDB folds getvariable() at bind time, so the hive filter prunes
    files before they are opened). -#}
{% macro lake_period_pruned(column) -%}
  (getvariable('sibyl_lake_periods') is null or list_contains(getvariable('sibyl_lake_periods'), {{ column }}))
{%- endmacro %}

{#- Pre-hook of an incremental model: read only the lake partitions of rebuild_periods() in
    this model's statement (dbt gives every model its own DuckDB cursor, and the post-hook
    lake_prune_end clears it). A no-op on a full build and on other adapters. -#}
{% macro lake_prune_begin(prune=none) -%}
  {%- set periods = rebuild_periods() -%}
  {%- set prune = is_incremental() if prune is none else prune -%}
  {%- if target.type == 'duckdb' and prune and periods | length > 0 -%}
    set variable sibyl_lake_periods = [{%- for p in periods %}{{ sql_string(p) }}{{ ", " if not loop.last }}{% endfor -%}]::varchar[]
  {%- else -%}
    select 1
  {%- endif -%}
{%- endmacro %}

{#- True when a table of distinct values read from the lake (int_tag_sets_normalized) may read
    only the rebuilt periods' partitions and keep its previous rows for the other periods: a run
    for some billing periods (rebuild_periods), the table already built, and not one of dbt's unit
    tests (they feed fixed inputs). Rows only the restated periods had stay until a full build;
    the table is joined by key, so an unused row changes nothing downstream. -#}
{% macro keep_previous_rows() -%}
  {%- if not execute or model.resource_type != 'model' or rebuild_periods() | length == 0 -%}
    {{ return(false) }}
  {%- endif -%}
  {{ return(load_relation(this) is not none) }}
{%- endmacro %}

{% macro lake_prune_end() -%}
  {%- if target.type == 'duckdb' -%}set variable sibyl_lake_periods = null{%- else -%}select 1{%- endif -%}
{%- endmacro %}

{#- Elsewhere (Postgres) the lake is a schema of tables loaded by ingest/pg_load.py
    (`sibyl warehouse load`): raw__<provider>__<variant>, with the same columns DuckDB's
    union-by-name read gives (nested columns as JSON text). -#}
{% macro default__lake_source(provider, variant) -%}
  {%- set rel = lake_table('raw__' ~ provider ~ '__' ~ variant) -%}
  {%- if rel is not none -%}
    {%- set described = adapter.get_columns_in_relation(rel) -%}
    {%- set types = {} -%}
    {%- for c in described -%}{%- do types.update({c.name: c.data_type}) -%}{%- endfor -%}
    {{ return({'relation': rel, 'columns': described | map(attribute='name') | list, 'types': types}) }}
  {%- endif -%}
  {{ return({'relation': "(select cast(null as varchar) as _source_file, cast(null as bigint) as _source_row, cast(null as varchar) as _schema_variant, cast(null as varchar) as _dataset, cast(null as varchar) as _dataset_type, cast(null as varchar) as _provider, cast(null as varchar) as _billing_currency where false) as _no_lake_files", 'columns': [], 'empty': true}) }}
{%- endmacro %}

{#- A table of the loaded lake schema (var lake_schema, default `lake`), or none before it is loaded. -#}
{% macro lake_table(name) -%}
  {%- if not execute -%}{{ return(none) }}{%- endif -%}
  {{ return(adapter.get_relation(database=target.database, schema=var('lake_schema', 'lake'), identifier=name)) }}
{%- endmacro %}

{#- The file's spelling of a column named by aliases 'A|B' (exact first, then any case), or none.
    Exports spell one column differently across generations (PreTaxCost, preTaxCost, Cost). -#}
{% macro lake_name(src, names) -%}
  {%- set wanted = names.split('|') -%}
  {%- for n in wanted -%}
    {%- if n in src.columns -%}{{ return(n) }}{%- endif -%}
  {%- endfor -%}
  {%- for n in wanted -%}
    {%- for c in src.columns -%}
      {%- if c.lower() == n.lower() -%}{{ return(c) }}{%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(none) }}
{%- endmacro %}

{#- Every column of the files that one of the aliases 'A|B' names (any case), in alias order. -#}
{% macro lake_names(src, names) -%}
  {%- set found = [] -%}
  {%- for n in names.split('|') -%}
    {%- set one = lake_name(src, n) -%}
    {%- if one is not none and one not in found -%}{%- do found.append(one) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(found) }}
{%- endmacro %}

{#- A raw column (aliases 'A|B', any case) cast to a type, or a typed NULL when the files lack it.
    Files of different generations in one glob each fill their own alias: the first non-null wins. -#}
{% macro lake_col(src, name, type='varchar') -%}
  {%- set found = lake_names(src, name) -%}
  {%- set types = src.get('types', {}) -%}
  {%- if found | length == 1 -%}
    {{ try_cast_as(sql_ident(found[0]), type, types.get(found[0])) }}
  {%- elif found | length > 1 -%}
    coalesce({%- for c in found %}{{ try_cast_as(sql_ident(c), type, types.get(c)) }}{{ ", " if not loop.last }}{% endfor -%})
  {%- else -%}
    cast(null as {{ type }})
  {%- endif -%}
{%- endmacro %}

{#- lake_col for FOCUS CSVs, where an empty field or the literal `null` (the FOCUS samples' spelling)
    is a null. -#}
{% macro focus_col(src, name, type='varchar') -%}
  {%- set found = lake_names(src, name) -%}
  {%- if found | length == 0 -%}
    cast(null as {{ type }})
  {%- else -%}
    coalesce({%- for c in found %}{{ try_cast_as("nullif(nullif(trim(cast(" ~ sql_ident(c) ~ " as varchar)), ''), 'null')", type) }}{{ ", " if not loop.last }}{% endfor -%})
  {%- endif -%}
{%- endmacro %}

{# A double-quoted identifier (embedded quotes doubled): the only way a column name enters SQL. #}
{% macro sql_ident(name) -%}
  "{{ name | replace('"', '""') }}"
{%- endmacro %}

{# A single-quoted string literal (embedded quotes doubled). #}
{% macro sql_string(value) -%}
  '{{ value | replace("'", "''") }}'
{%- endmacro %}

{#- An account id exactly as exported; padded with zeros only when shorter than the provider's
    length (AWS: 12). lpad alone would cut a longer id. -#}
{% macro pad_account_id(expr, length) -%}
  case when length({{ expr }}) < {{ length }} then lpad({{ expr }}, {{ length }}, '0') else {{ expr }} end
{%- endmacro %}

{# Where-clause that keeps no rows when the variant has no files. #}
{% macro lake_filter(src) -%}
  {%- if src.get('empty') %} false {% else %} true {% endif -%}
{%- endmacro %}

{#- Raw tag columns (legacy CUR "resourceTags/user:Team", Athena "resource_tags_user_team", OCI
    "tags/Oracle-Tags.CreatedBy", cost categories "costCategory/Env") as a JSON object built by
    DuckDB (to_json over a map): a key or value with quotes stays data. -#}
{% macro tag_columns_json(src, prefix, key_prefix_to_drop, extra_prefixes=[]) -%}
  {%- set tag_cols = [] -%}
  {%- for c in src.columns if (c.lower().startswith(prefix.lower()) and c != 'resource_tags') -%}
    {%- do tag_cols.append((c, c[key_prefix_to_drop | length:])) -%}
  {%- endfor -%}
  {%- for pre, keep in extra_prefixes -%}
    {%- for c in src.columns if c.lower().startswith(pre.lower()) -%}
      {%- do tag_cols.append((c, keep ~ c[pre | length:])) -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- if tag_cols | length == 0 -%}
    '{}'
  {%- else -%}
    {%- set pairs = [] -%}
    {%- for c, key in tag_cols -%}{%- do pairs.append((sql_string(key), sql_ident(c))) -%}{%- endfor -%}
    {{ json_object_nonempty(pairs) }}
  {%- endif -%}
{%- endmacro %}

{#- Control totals written by ingest next to every lake file (the reconciliation's raw side):
    one row per source x provider x billing account x period x currency x dataset. -#}
{% macro lake_control_totals() -%}
  {{ return(adapter.dispatch('lake_control_totals', 'sibyl')()) }}
{%- endmacro %}

{% macro default__lake_control_totals() -%}
  {%- set rel = lake_table('control_totals') -%}
  {%- if rel is not none -%}{{ return("(select * from " ~ rel ~ ")") }}{%- endif -%}
  {{ return("(select cast(null as varchar) as source, cast(null as varchar) as variant, cast(null as varchar) as dataset, cast(null as varchar) as dataset_type, cast(null as varchar) as provider, cast(null as varchar) as billing_account_id, cast(null as varchar) as billing_period, cast(null as varchar) as currency, cast(null as bigint) as rows, cast(null as varchar) as billed_total where false)") }}
{%- endmacro %}

{% macro duckdb__lake_control_totals() -%}
  {%- set pattern = var('lake_root') ~ '/_control/*/*/*.json' -%}
  {%- if execute -%}
    {%- set found = run_query("select count(*) from glob(" ~ sql_string(pattern) ~ ")").columns[0].values()[0] -%}
    {%- if found > 0 -%}
      {{ return("(select c.source, c.variant, c.dataset, c.dataset_type, t.provider, t.billing_account_id, t.billing_period, t.currency, t.rows, t.billed_total from read_json(" ~ sql_string(pattern) ~ ", format = 'auto', columns = {source: 'VARCHAR', variant: 'VARCHAR', dataset: 'VARCHAR', dataset_type: 'VARCHAR', totals: 'STRUCT(provider VARCHAR, billing_account_id VARCHAR, billing_period VARCHAR, currency VARCHAR, \"rows\" BIGINT, billed_total VARCHAR)[]'}) as c, unnest(c.totals) as u(t))") }}
    {%- endif -%}
  {%- endif -%}
  {{ return("(select null::varchar as source, null::varchar as variant, null::varchar as dataset, null::varchar as dataset_type, null::varchar as provider, null::varchar as billing_account_id, null::varchar as billing_period, null::varchar as currency, null::bigint as rows, null::varchar as billed_total where false)") }}
{%- endmacro %}

{# Money: one decimal type everywhere (FOCUS Decimal; exports carry up to 10 decimals). #}
{% macro money(expr) -%}
  cast({{ expr }} as decimal(38, 10))
{%- endmacro %}

{#- The billing periods an incremental run rebuilds (YYYY-MM); empty = all of them.
    Var billing_periods when given, else the environment variable SIBYL_BILLING_PERIODS
    (comma-separated), which the ingest sensor and the bench set: dbt re-parses the whole project
    whenever --vars change (10 CPU-s, a third of a one-month rebuild), while an environment
    variable read only at execution time (never while parsing, `execute` is false then) is not
    recorded in the manifest, so partial parsing holds. Each period must be YYYY-MM. -#}
{% macro rebuild_periods() -%}
  {%- set periods = var('billing_periods', []) -%}
  {%- if periods | length == 0 and execute -%}
    {%- set raw = env_var('SIBYL_BILLING_PERIODS', '') -%}
    {%- if raw | length > 10000 -%}
      {{ exceptions.raise_compiler_error("SIBYL_BILLING_PERIODS is longer than 10000 characters") }}
    {%- endif -%}
    {%- set periods = [] -%}
    {%- for p in raw.split(',') if p.strip() -%}
      {%- do periods.append(p.strip()) -%}
    {%- endfor -%}
  {%- endif -%}
  {#- the same YYYY-MM (month 01-12) check as orchestration/lib/sensing.py, for hand-set values -#}
  {%- for p in periods -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])', p | string) -%}
      {{ exceptions.raise_compiler_error("billing periods: not a YYYY-MM billing period (month 01-12)") }}
    {%- endif -%}
  {%- endfor -%}
  {{ return(periods) }}
{%- endmacro %}

{#- Incremental window: the billing periods to rebuild (rebuild_periods), or everything. The
    date range around them is what DuckDB prunes row groups with (zone maps): the strftime test
    alone is evaluated on every row of the table (all 41 row groups of a 5M-row fct_charges). -#}
{% macro billing_period_filter(column) -%}
  {%- set periods = rebuild_periods() -%}
  {%- if periods | length > 0 -%}
    {%- set last = (periods | max).split('-') -%}
    {%- set after = '%04d-%02d-01' % ((last[0] | int) + (last[1] | int) // 12, (last[1] | int) % 12 + 1) -%}
    (strftime({{ column }}, '%Y-%m') in ({%- for p in periods %}{{ sql_string(p) }}{{ "," if not loop.last }}{% endfor -%})
     and {{ column }} >= cast({{ sql_string((periods | min) ~ '-01') }} as date) and {{ column }} < cast({{ sql_string(after) }} as date))
  {%- else -%}
    true
  {%- endif -%}
{%- endmacro %}

{#- GCP flattened CSV stores lists as Python literals; ingest rewrites them as JSON with the json
    library (ingest/reading.py), so the lake column is JSON already: no string replacement here. -#}
{% macro python_literal_to_json(expr) -%}
  {{ expr }}
{%- endmacro %}

{# FOCUS StringHandling: display strings in ASCII (accents folded, symbols such as ® dropped). #}
{% macro focus_ascii(expr) -%}
  regexp_replace(strip_accents({{ expr }}), '[^\x00-\x7F]', '', 'g')
{%- endmacro %}

{#- A timestamp from the date formats exports use: ISO 8601 (with or without Z), US M/D/YYYY and
    M/D/YY (FOCUS samples, Azure EA). -#}
{% macro any_timestamp(expr) -%}
  (case when regexp_full_match(trim(cast({{ expr }} as varchar)), '\d{1,2}/\d{1,2}/\d{2}')
        then try_strptime(trim(cast({{ expr }} as varchar)), '%m/%d/%y')
        else coalesce({{ try_cast_as("replace(trim(cast(" ~ expr ~ " as varchar)), 'Z', '')", 'timestamp') }},
                      try_strptime(trim(cast({{ expr }} as varchar)), array['%m/%d/%Y', '%Y-%m-%dT%H:%MZ', '%Y-%m-%d'])) end)
{%- endmacro %}

{#- The ingest run reports (<lake>/_state/runs/<run_id>.json): one row per landing file and run. -#}
{% macro lake_run_reports() -%}
  {{ return(adapter.dispatch('lake_run_reports', 'sibyl')()) }}
{%- endmacro %}

{% macro default__lake_run_reports() -%}
  {%- set rel = lake_table('run_reports') -%}
  {%- if rel is not none -%}{{ return("(select * from " ~ rel ~ ")") }}{%- endif -%}
  {{ return("(select cast(null as varchar) as run_id, cast(null as varchar) as started_at, cast(null as varchar) as finished_at, cast(null as varchar) as rel, cast(null as varchar) as status, cast(null as varchar) as provider, cast(null as varchar) as source, cast(null as varchar) as variant, cast(null as varchar) as dataset, cast(null as varchar) as dataset_type, cast(null as varchar[]) as periods, cast(null as bigint) as rows, cast(null as varchar) as billed_total, cast(null as varchar) as reason, cast(null as varchar[]) as notes, cast(null as varchar) as quarantine_path where false)") }}
{%- endmacro %}

{% macro duckdb__lake_run_reports() -%}
  {%- set pattern = var('lake_root') ~ '/_state/runs/*.json' -%}
  {%- set file_type = 'STRUCT(rel VARCHAR, status VARCHAR, provider VARCHAR, source VARCHAR, variant VARCHAR, dataset VARCHAR, dataset_type VARCHAR, periods VARCHAR[], "rows" BIGINT, billed_total VARCHAR, reason VARCHAR, notes VARCHAR[], quarantine_path VARCHAR)[]' -%}
  {%- if execute -%}
    {%- set found = run_query("select count(*) from glob(" ~ sql_string(pattern) ~ ")").columns[0].values()[0] -%}
    {%- if found > 0 -%}
      {{ return("(select r.run_id, r.started_at, r.finished_at, f.* from read_json(" ~ sql_string(pattern) ~ ", format = 'auto', columns = {run_id: 'VARCHAR', started_at: 'VARCHAR', finished_at: 'VARCHAR', files: '" ~ file_type ~ "'}) as r, unnest(r.files) as u(f))") }}
    {%- endif -%}
  {%- endif -%}
  {{ return("(select null::varchar as run_id, null::varchar as started_at, null::varchar as finished_at, null::varchar as rel, null::varchar as status, null::varchar as provider, null::varchar as source, null::varchar as variant, null::varchar as dataset, null::varchar as dataset_type, null::varchar[] as periods, null::bigint as rows, null::varchar as billed_total, null::varchar as reason, null::varchar[] as notes, null::varchar as quarantine_path where false)") }}
{%- endmacro %}

{#- Organisation configuration (teams, hierarchy, service catalog, account owners, tag rules,
    billing sources): the user's CSV files in SIBYL_CONFIG_DIR (`sibyl run --config-dir`,
    `sibyl config init`) when set, else the seed of the same name (the demo's configuration).
    `sibyl run` always sets it, so the demo's organisation never applies to a user's data. -#}
{% macro org_config(name) -%}
  {{ return(adapter.dispatch('org_config', 'sibyl')(name)) }}
{%- endmacro %}

{% macro duckdb__org_config(name) -%}
  {%- set seed = ref(name) -%}
  {%- set folder = env_var('SIBYL_CONFIG_DIR', '') -%}
  {%- if folder -%}
    {{ return("(select * from read_csv(" ~ sql_string(folder ~ '/' ~ name ~ '.csv') ~ ", header = true, all_varchar = true, delim = ',', quote = '\"'))") }}
  {%- else -%}
    {{ return(seed) }}
  {%- endif -%}
{%- endmacro %}

{#- Elsewhere the user's CSV files are loaded with the lake (ingest/pg_load.py: config__<name>,
    every column text, as DuckDB's all_varchar read). -#}
{% macro default__org_config(name) -%}
  {%- set seed = ref(name) -%}
  {%- if env_var('SIBYL_CONFIG_DIR', '') -%}
    {%- set rel = lake_table('config__' ~ name) -%}
    {%- if rel is none and execute -%}
      {{ exceptions.raise_compiler_error("SIBYL_CONFIG_DIR is set but config__" ~ name ~ " is not loaded: load the lake with the configuration folder (sibyl warehouse load --config-dir)") }}
    {%- endif -%}
    {{ return(rel if rel is not none else seed) }}
  {%- endif -%}
  {{ return(seed) }}
{%- endmacro %}
