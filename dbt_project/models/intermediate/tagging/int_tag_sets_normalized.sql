{#-
  Tag normalization, computed once per distinct raw tag set (not per charge): keys are
  lower-cased, stripped of provider prefixes (tag_key_prefixes seed: user:, user_, ...),
  separators unified to '_', then mapped through tag_key_aliases (Team / owner-team / squad ->
  team). Values are trimmed, lower-cased and mapped through tag_value_aliases (paymnets ->
  payments). A team value counts only if it names a team in the teams seed.
  A rebuild of some billing periods reads only those periods' lake partitions and keeps the
  previous build's tag sets for the rest (keep_previous_rows, macros/lake.sql): the scan of every
  charge's tags was the largest whole-lake cost of a one-month rebuild. Every set is normalized
  again, so a changed seed applies to all of them.
-#}
{{ config(
    pre_hook="{{ lake_prune_begin(keep_previous_rows()) }}",
    post_hook="{{ lake_prune_end() }}"
) }}
with

tag_sets as (
    {% if keep_previous_rows() %}
    select tags_json from {{ this }}
    union
    {% endif %}
    -- distinct raw tag sets straight from staging: a narrow scan, not the whole FOCUS mapping
    select tags_json from {{ ref('stg_aws__line_items') }}
    union
    select tags_json from {{ ref('stg_gcp__billing_export') }}
    union
    select tags_json from {{ ref('stg_azure__cost_details') }}
    union
    select tags_json from {{ ref('stg_oci__cost_report') }}
    union
    select tags_json from {{ ref('stg_focus__charges') }}
    union
    select tags_json from {{ ref('int_ai_charges_mapped') }}
    union
    select '{}'  -- charges Sibyl derives (unused commitments) carry no tags
),

pairs as (
    select
        t.tags_json,
        j.key as raw_key,
        {{ json_root_text('j.value') }} as raw_value
    from tag_sets as t, json_each(t.tags_json) as j
),

prefixes as (
    select lower(prefix) as prefix from {{ ref('tag_key_prefixes') }}
),

keys_stripped as (
    select
        p.*,
        lower(trim(p.raw_key)) as lowered_key,
        (
            select max(x.prefix) from prefixes as x
            where starts_with(lower(trim(p.raw_key)), x.prefix)
        ) as matched_prefix
    from pairs as p
),

keys_normalized as (
    select
        k.*,
        regexp_replace(
            case when k.matched_prefix is null then k.lowered_key
                 else substr(k.lowered_key, length(k.matched_prefix) + 1) end,
            '[^a-z0-9]+', '_', 'g'
        ) as normalized_key
    from keys_stripped as k
),

keys_canonical as (
    select
        k.tags_json,
        k.raw_key,
        k.raw_value,
        coalesce(a.canonical_key, k.normalized_key) as canonical_key,
        lower(trim(k.raw_value)) as normalized_value
    from keys_normalized as k
    left join {{ org_config('tag_key_aliases') }} as a on a.normalized_key = k.normalized_key
),

values_canonical as (
    select
        k.tags_json,
        k.raw_key,
        k.canonical_key,
        coalesce(v.canonical_value, k.normalized_value) as canonical_value
    from keys_canonical as k
    left join {{ org_config('tag_value_aliases') }} as v
        on v.canonical_key = k.canonical_key and v.normalized_value = k.normalized_value
    where nullif(k.normalized_value, '') is not null
),

per_set as (
    select
        tags_json,
        -- several raw keys can map to one canonical key (Team and owner-team): keep the first
        -- keys in sorted order, so the same tags always give the same text
        {{ json_object_agg_text('canonical_key', 'canonical_value') }} as normalized_tags_json,
        min(canonical_value) filter (where canonical_key = 'team') as tag_team,
        min(canonical_value) filter (where canonical_key = 'environment') as tag_environment,
        min(canonical_value) filter (where canonical_key = 'cost_center') as tag_cost_center,
        list(distinct canonical_key) as canonical_keys
    from (
        select *, row_number() over (partition by tags_json, canonical_key order by raw_key) as rn
        from values_canonical
    ) as ranked
    where rn = 1
    group by tags_json
),

required as (
    select list(tag_key order by tag_key) as required_keys from {{ org_config('required_tags') }}
),

final as (
    select
        t.tags_json,
        coalesce(p.normalized_tags_json, '{}') as normalized_tags_json,
        p.tag_team,
        tm.team_id as tag_team_id,
        p.tag_environment,
        p.tag_cost_center,
        array_to_string(
            {{ list_where('r.required_keys', 'k', 'not list_contains(coalesce(p.canonical_keys, ' ~ empty_list('varchar') ~ '), k)') }},
            ','
        ) as missing_required_tags,
        len({{ list_where('r.required_keys', 'k', 'not list_contains(coalesce(p.canonical_keys, ' ~ empty_list('varchar') ~ '), k)') }}) = 0
            and (p.tag_team is null or tm.team_id is not null) as is_fully_tagged,
        p.tag_team is not null and tm.team_id is null as has_unknown_team_value
    from tag_sets as t
    cross join required as r
    left join per_set as p on p.tags_json = t.tags_json
    left join {{ org_config('teams') }} as tm on tm.team_id = p.tag_team
)

select * from final
