{#- DuckDB functions and type names the models use, defined in Postgres (schema public, on the
    search path) by an on-run-start hook, so the model SQL stays one code base: the double type,
    any_value and arg_max/arg_min aggregates, list(), strftime() for the formats the models use,
    last_day(), datediff(), len(). Syntax DuckDB has and Postgres lacks (try_cast, qualify,
    group by all, exclude, union by name, lambdas, struct and list literals) is in dispatch macros
    instead (postgres/dialect.sql). -#}
{% macro sibyl_compat() -%}
  {{ return(adapter.dispatch('sibyl_compat', 'sibyl')()) }}
{%- endmacro %}

{% macro default__sibyl_compat() -%}
  select 1
{%- endmacro %}

{% macro postgres__sibyl_compat() -%}
do $compat$
begin
  if not exists (select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
                 where t.typname = 'double' and n.nspname = 'public') then
    create domain public.double as double precision;
  end if;
end
$compat$;

create or replace function public.sibyl_first_agg(anyelement, anyelement) returns anyelement
  language sql immutable parallel safe as 'select coalesce($1, $2)';
create or replace aggregate public.any_value(anyelement) (sfunc = public.sibyl_first_agg, stype = anyelement);

create or replace function public.sibyl_argmax_sf(state jsonb, v anyelement, k anycompatible) returns jsonb
  language sql immutable parallel safe as $f$
    select case when k is null then state
                when state is null or (state -> 'k') < to_jsonb(k) then jsonb_build_object('v', to_jsonb(v), 'k', to_jsonb(k))
                else state end $f$;
create or replace function public.sibyl_argmin_sf(state jsonb, v anyelement, k anycompatible) returns jsonb
  language sql immutable parallel safe as $f$
    select case when k is null then state
                when state is null or (state -> 'k') > to_jsonb(k) then jsonb_build_object('v', to_jsonb(v), 'k', to_jsonb(k))
                else state end $f$;
create or replace function public.sibyl_arg_ff(state jsonb, v anyelement, k anycompatible) returns anyelement
  language plpgsql immutable parallel safe as $f$
    begin
      if state is null or jsonb_typeof(state -> 'v') = 'null' then return null; end if;
      if jsonb_typeof(state -> 'v') = 'string' then return (state ->> 'v'); end if;
      return (state -> 'v')::text;
    end $f$;
create or replace aggregate public.arg_max(anyelement, anycompatible) (
  sfunc = public.sibyl_argmax_sf, stype = jsonb, finalfunc = public.sibyl_arg_ff, finalfunc_extra);
create or replace aggregate public.arg_min(anyelement, anycompatible) (
  sfunc = public.sibyl_argmin_sf, stype = jsonb, finalfunc = public.sibyl_arg_ff, finalfunc_extra);

create or replace aggregate public.list(anycompatible) (sfunc = array_append, stype = anycompatiblearray, initcond = '{}');

create or replace function public.strftime(ts timestamp, fmt text) returns text
  language sql immutable parallel safe as $f$
    select to_char(ts, {{ strftime_format_to_pg('fmt', 'to_char') }}) $f$;
create or replace function public.strftime(d date, fmt text) returns text
  language sql immutable parallel safe as 'select public.strftime(d::timestamp, fmt)';
create or replace function public.strftime(ts timestamptz, fmt text) returns text
  language sql stable parallel safe as 'select public.strftime(ts::timestamp, fmt)';

create or replace function public.last_day(d date) returns date
  language sql immutable parallel safe as $f$ select (date_trunc('month', d) + interval '1 month' - interval '1 day')::date $f$;
create or replace function public.last_day(d timestamp) returns date
  language sql immutable parallel safe as 'select public.last_day(d::date)';

create or replace function public.len(a anyarray) returns integer
  language sql immutable parallel safe as 'select coalesce(cardinality(a), 0)';
create or replace function public.len(t text) returns integer
  language sql immutable parallel safe as 'select length(t)';
create or replace function public.list_contains(a anycompatiblearray, e anycompatible) returns boolean
  language sql immutable parallel safe as 'select e = any(a)';
create or replace function public.round(v double precision, digits integer) returns double precision
  language sql immutable parallel safe as 'select round(v::numeric, digits)::double precision';

create or replace function public.sibyl_try_cast(v text, target anyelement) returns anyelement
  language plpgsql immutable parallel safe as $f$
    begin
      target := v;
      return target;
    exception when others then
      return null;
    end $f$;

create or replace function public.try_strptime(v text, fmt text) returns timestamp
  language plpgsql immutable parallel safe as $f$
    declare pattern text;
    begin
      if v is null then return null; end if;
      pattern := '^' || {{ strftime_format_to_pg("regexp_replace(fmt, '([.^$*+?()\\[\\]{}|\\\\])', '\\\\\\1', 'g')", 'regex') }} || '$';
      if v !~ pattern then return null; end if;
      return to_timestamp(v, {{ strftime_format_to_pg('fmt', 'to_timestamp') }})::timestamp;
    exception when others then
      return null;
    end $f$;
create or replace function public.try_strptime(v text, fmts text[]) returns timestamp
  language sql immutable parallel safe as $f$
    select public.try_strptime(v, f) from unnest(fmts) with ordinality as u(f, i)
    where public.try_strptime(v, f) is not null order by i limit 1 $f$;
create or replace function public.regexp_full_match(v text, pattern text) returns boolean
  language sql immutable parallel safe as $f$ select v ~ ('^(?:' || pattern || ')$') $f$;
create or replace function public.len(j jsonb) returns integer
  language sql immutable parallel safe as 'select coalesce(jsonb_array_length(j), 0)';
create or replace function public.regexp_extract(v text, pattern text, grp integer default 0) returns text
  language sql immutable parallel safe as $f$
    select case when v is null then null else coalesce((regexp_match(v, '(' || pattern || ')'))[grp + 1], '') end $f$;
create or replace function public.json_valid(v text) returns boolean
  language plpgsql immutable parallel safe as $f$
    begin
      if v is null then return null; end if;
      perform v::json;
      return true;
    exception when others then
      return false;
    end $f$;
create or replace function public.json_type(j json) returns text
  language sql immutable parallel safe as 'select upper(json_typeof(j))';
create or replace function public.json_each(v text) returns table(key text, value json)
  language sql immutable parallel safe as 'select e.key, e.value from pg_catalog.json_each(v::json) as e';
create extension if not exists unaccent;
create or replace function public.strip_accents(v text) returns text
  language sql stable parallel safe as 'select public.unaccent(v)';
create or replace function public.day(d date) returns integer
  language sql immutable parallel safe as 'select extract(day from d)::integer';
create or replace function public.day(d timestamp) returns integer
  language sql immutable parallel safe as 'select extract(day from d)::integer';
-- DuckDB's cast of a double to decimal(38, 10): round(x * 1e10) in double arithmetic, half away
-- from zero, as an exact integer (Postgres' own float8 -> numeric keeps 15 digits)
create or replace function public.sibyl_round_half_away(v double precision) returns double precision
  language sql immutable parallel safe as $f$
    select sign(v) * (floor(abs(v)) + case when abs(v) - floor(abs(v)) >= 0.5 then 1 else 0 end) $f$;
create or replace function public.sibyl_double_to_decimal(x double precision) returns numeric
  language sql immutable parallel safe as $f$
    select case when x is null or x <> x or x in ('Infinity', '-Infinity') then null
                when abs(x) < 9e8 then public.sibyl_round_half_away(x * 1e10)::bigint::numeric * 0.0000000001
                when abs(x) < 1e18 then (floor(public.sibyl_round_half_away(x * 1e10) / 4294967296.0)::bigint::numeric * 4294967296
                     + (public.sibyl_round_half_away(x * 1e10) - floor(public.sibyl_round_half_away(x * 1e10) / 4294967296.0) * 4294967296.0)::bigint::numeric) * 0.0000000001
                else x::numeric end $f$;
{%- endmacro %}


{#- Session settings before each model: none on DuckDB (profiles.yml sets them). -#}
{% macro sibyl_session() -%}
  {{ return(adapter.dispatch('sibyl_session', 'sibyl')()) }}
{%- endmacro %}
{% macro default__sibyl_session() -%}{%- endmacro %}
{% macro postgres__sibyl_session() -%}set jit = off; set timezone = 'UTC'{%- endmacro %}


{#- The strftime specifiers the models use, in one table: what each becomes in Postgres' to_char
    (output, zero-padded), to_timestamp (input, FM: one or two digits) and a regular expression of
    the text it matches (try_strptime checks a value's shape first: to_timestamp is lenient).
    Returns the SQL that rewrites the format text `fmt_sql` (an SQL expression) for `target`. -#}
{% macro strftime_format_to_pg(fmt_sql, target) -%}
  {%- set specifiers = [
      ('%Y', 'YYYY', 'YYYY', '\\d{4}'),
      ('%m', 'MM', 'FMMM', '\\d{1,2}'),
      ('%d', 'DD', 'FMDD', '\\d{1,2}'),
      ('%y', 'YY', 'YY', '\\d{2}'),
      ('%H', 'HH24', 'HH24', '\\d{1,2}'),
      ('%M', 'MI', 'MI', '\\d{1,2}'),
      ('%S', 'SS', 'SS', '\\d{1,2}'),
  ] -%}
  {%- set column = {'to_char': 1, 'to_timestamp': 2, 'regex': 3}[target] -%}
  {%- set ns = namespace(sql=fmt_sql) -%}
  {%- for spec in specifiers -%}
    {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ spec[0] ~ "', '" ~ spec[column] ~ "')" -%}
  {%- endfor -%}
  {{ return(ns.sql) }}
{%- endmacro %}
