{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='sync_all_columns',
    pre_hook="{{ delete_rebuilt_periods() }}"
) }}
{#- Charges after shared-cost allocation (FOCUS 1.3 Allocated* columns, snake_case).
    A charge matching an allocation rule (the first by rule_order) is split over the rule's teams by
    their weights that billing period (int_allocation_weights); a rule without any weight that
    period sends the charge to its remainder team (or leaves it with its team). Every other charge
    passes through unchanged. Parts are whole cents by largest remainder, except the anchor part
    (the largest weight) which takes the exact rest: the parts of a charge sum to it exactly, so
    totals per provider x period x currency equal fct_charges' (macro largest_remainder_cents,
    macros/allocation_split.sql).
    The first matching rule is chosen per distinct combination of the attributes rules match on
    (scopes), and every charge column the result needs is carried through the split, so nothing is
    joined or windowed by charge_id over the whole fact (at 100M line items that spilled tens of GB).
    Grain: charge_id x team_id (allocation_line_id). Incremental by billing period (weights are
    per period): a run for some billing periods (rebuild_periods, macros/lake.sql) replaces exactly
    those periods, and the weights are computed from those periods of fct_charges only. -#}
{%- set costs = ['billed_cost', 'effective_cost', 'list_cost'] -%}
{%- set scope_columns = ['provider', 'service_name', 'resource_id', 'sub_account_id', 'charge_category',
                         'normalized_tags_json'] -%}
{%- set carried = ['charge_id', 'provider', 'billing_period', 'charge_date', 'billing_currency',
                   'charge_category', 'service_name', 'sub_account_id', 'resource_id', 'resource_name',
                   'source_team_id'] -%}
with

-- not materialized: read three times below (scopes, matched, direct); materialising every charge with all its
-- columns spilled tens of GB at 100M line items, where scanning the columnar fact again is cheap
-- the columns used below, the charge's own team named source_team_id as in the result
charges as not materialized (
    select
        {%- for col in carried if col != 'source_team_id' %}
        {{ col }},
        {%- endfor %}
        team_id as source_team_id,
        attribution_method,
        normalized_tags_json,
        {%- for col in costs %}
        {{ col }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_charges') }}
    {% if is_incremental() %}
    where {{ billing_period_filter('billing_period') }}
    {% endif %}
),

rules as (
    select * from {{ ref('int_allocation_rules_parsed') }}
),

-- a period's weights depend on that period's charges alone: an incremental run reads only the
-- rebuilt periods of the fact (the filter reaches its scan through the view's aggregation)
weights as (
    select * from {{ ref('int_allocation_weights') }}
    {% if is_incremental() %}
    where {{ billing_period_filter('billing_period') }}
    {% endif %}
),

-- the (rule, billing period) pairs that have weights; a matched charge of any other pair goes to
-- its rule's remainder team
weighted_periods as (
    select distinct rule_id, billing_period from weights
),

teams as (
    select * from {{ org_config('teams') }}
),

business_units as (
    select * from {{ org_config('business_units') }}
),

-- The first rule is a function of the attributes a rule can match on, so it is chosen once per
-- distinct combination of them (a scope), not per charge: no window or join keyed by charge_id
-- over the whole fact, which is what spilled at 100M line items.
scopes as (
    select distinct {{ scope_columns | join(', ') }}
    from charges
),

scope_matches as (
    select
        s.*,
        r.rule_id,
        r.driver,
        r.remainder_team_id,
        row_number() over (
            partition by {% for col in scope_columns %}s.{{ col }}{{ ', ' if not loop.last }}{% endfor %}
            order by r.rule_order, r.rule_id
        ) as rule_rank
    from scopes as s
    inner join rules as r
        on {{ allocation_scope_match('s', 'r.match_dimension', 'r.match_value') }}
),

scope_rules as (
    select * from scope_matches where rule_rank = 1
),

-- the charges a rule matches (a small part of the fact): read twice below, so DuckDB keeps them
matched as (
    select
        {%- for col in carried %}
        c.{{ col }},
        {%- endfor %}
        {%- for col in costs %}
        c.{{ col }},
        {%- endfor %}
        f.rule_id,
        f.driver,
        f.remainder_team_id,
        wp.rule_id is not null as has_weights
    from charges as c
    inner join scope_rules as f
        on {{ scope_join('c', 'f', scope_columns) }}
    left join weighted_periods as wp
        on wp.rule_id = f.rule_id and wp.billing_period = c.billing_period
),

driven as (
    select
        {%- for col in carried %}
        r.{{ col }},
        {%- endfor %}
        r.rule_id,
        r.driver as method,
        w.team_id,
        w.weight,
        {%- for col in costs %}
        r.{{ col }}{{ ',' if not loop.last }}
        {%- endfor %}
    from matched as r
    inner join weights as w on w.rule_id = r.rule_id and w.billing_period = r.billing_period
    where r.has_weights
),

remainder as (
    select
        {%- for col in carried %}
        r.{{ col }},
        {%- endfor %}
        r.rule_id,
        'remainder' as method,
        coalesce(r.remainder_team_id, r.source_team_id) as team_id,
        cast(1 as decimal(38, 10)) as weight,
        {%- for col in costs %}
        r.{{ col }}{{ ',' if not loop.last }}
        {%- endfor %}
    from matched as r
    where not r.has_weights
),

to_split as (
    select * from driven
    union all
    select * from remainder
),

split as (
    {{ largest_remainder_cents('to_split', 'charge_id', 'team_id',
                               carried + ['rule_id', 'method', 'team_id', 'weight'], costs) }}
),

allocated as (
    select
        {%- for col in carried %}
        s.{{ col }},
        {%- endfor %}
        s.team_id,
        'allocation_rule' as attribution_method,
        {%- for col in costs %}
        cast(s.{{ col }} as decimal(38, 10)) as {{ col }},
        {%- endfor %}
        s.rule_id as allocation_rule_id,
        case s.method
            when 'cost' then 'proportional_cost'
            when 'usage' then 'proportional_usage'
            when 'fixed' then 'fixed_share'
            else s.method
        end as allocated_method_id,
        {{ json_object_text(["'rule_id'", 's.rule_id', "'driver'", 's.method',
                             "'weight'", 'cast(s.weight as varchar)', "'total_weight'", 'cast(s.total_weight as varchar)']) }}
            as allocated_method_details,
        s.team_id as allocated_resource_id,
        coalesce(t.team_name, s.team_id) as allocated_resource_name,
        {{ json_object_text(["'team'", 's.team_id']) }} as allocated_tags
    from split as s
    left join teams as t on t.team_id = s.team_id
),

-- every other charge, streamed from the fact (never materialized: it is nearly all of it)
direct as (
    select
        {%- for col in carried %}
        c.{{ col }},
        {%- endfor %}
        c.source_team_id as team_id,
        c.attribution_method,
        {%- for col in costs %}
        cast(c.{{ col }} as decimal(38, 10)) as {{ col }},
        {%- endfor %}
        cast(null as varchar) as allocation_rule_id,
        cast(null as varchar) as allocated_method_id,
        cast(null as varchar) as allocated_method_details,
        cast(null as varchar) as allocated_resource_id,
        cast(null as varchar) as allocated_resource_name,
        cast(null as varchar) as allocated_tags
    from charges as c
    left join scope_rules as f
        on {{ scope_join('c', 'f', scope_columns) }}
    where f.rule_id is null
),

unioned as (
    select * from allocated
    union all
    select * from direct
),

final as (
    select
        u.charge_id || '|' || u.team_id as allocation_line_id,
        u.charge_id,
        u.provider,
        u.billing_period,
        u.charge_date,
        u.billing_currency,
        u.charge_category,
        u.service_name,
        u.sub_account_id,
        u.resource_id,
        u.resource_name,
        u.source_team_id,
        u.team_id,
        coalesce(t.business_unit_id, 'unallocated') as business_unit_id,
        coalesce(bu.business_group_id, 'unallocated') as business_group_id,
        u.attribution_method,
        u.billed_cost,
        u.effective_cost,
        u.list_cost,
        u.allocation_rule_id,
        u.allocated_method_id,
        u.allocated_method_details,
        u.allocated_resource_id,
        u.allocated_resource_name,
        u.allocated_tags
    from unioned as u
    left join teams as t on t.team_id = u.team_id
    left join business_units as bu on bu.business_unit_id = t.business_unit_id
)

select * from final
