{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='billing_period',
    on_schema_change='sync_all_columns',
    pre_hook="{{ lake_prune_begin() }}",
    post_hook="{{ lake_prune_end() }}"
) }}
{#- Charges after shared-cost allocation (FOCUS 1.3 Allocated* columns, snake_case).
    A charge matching an allocation rule (the first by rule_order) is split over the rule's teams by
    their weights that billing period (int_allocation_weights); a rule without any weight that
    period sends the charge to its remainder team (or leaves it with its team). Every other charge
    passes through unchanged. Parts are whole cents by largest remainder, except the anchor part
    (the largest weight) which takes the exact rest: the parts of a charge sum to it exactly, so
    totals per provider x period x currency equal fct_charges' (macro largest_remainder_cents,
    macros/allocation_split.sql).
    Grain: charge_id x team_id (allocation_line_id). Incremental by billing period (weights are
    per period): a run for some billing periods (rebuild_periods, macros/lake.sql) replaces exactly
    those periods, and the weights read only those periods' lake partitions (lake_prune_begin):
    a period's weights depend on that period's charges alone. -#}
{%- set costs = ['billed_cost', 'effective_cost', 'list_cost'] -%}
with

-- not materialized: read five times below; materialising every charge with all its columns
-- spilled tens of GB at 100M line items, where scanning the columnar fact again is cheap
charges as not materialized (
    select * from {{ ref('fct_charges') }}
    {% if is_incremental() %}
    where {{ billing_period_filter('billing_period') }}
    {% endif %}
),

rules as (
    select * from {{ ref('int_allocation_rules_parsed') }}
),

weights as (
    select * from {{ ref('int_allocation_weights') }}
),

teams as (
    select * from {{ org_config('teams') }}
),

business_units as (
    select * from {{ org_config('business_units') }}
),

matched as (
    select
        c.charge_id,
        r.rule_id,
        r.driver,
        r.remainder_team_id,
        row_number() over (partition by c.charge_id order by r.rule_order, r.rule_id) as rule_rank
    from charges as c
    inner join rules as r
        on {{ allocation_scope_match('c', 'r.match_dimension', 'r.match_value') }}
),

first_rule as (
    select m.*, c.billing_period, c.team_id as source_team_id
    from matched as m
    inner join charges as c on c.charge_id = m.charge_id
    where m.rule_rank = 1
),

driven as (
    select f.charge_id, f.rule_id, f.driver as method, w.team_id, w.weight
    from first_rule as f
    inner join weights as w on w.rule_id = f.rule_id and w.billing_period = f.billing_period
),

remainder as (
    select
        f.charge_id,
        f.rule_id,
        'remainder' as method,
        coalesce(f.remainder_team_id, f.source_team_id) as team_id,
        cast(1 as decimal(38, 10)) as weight
    from first_rule as f
    where not exists (select 1 from driven as d where d.charge_id = f.charge_id)
),

targets as (
    select * from driven
    union all
    select * from remainder
),

to_split as (
    select
        t.charge_id,
        t.rule_id,
        t.method,
        t.team_id,
        t.weight,
        {%- for col in costs %}
        c.{{ col }}{{ ',' if not loop.last }}
        {%- endfor %}
    from targets as t
    inner join charges as c on c.charge_id = t.charge_id
),

split as (
    {{ largest_remainder_cents('to_split', 'charge_id', 'team_id',
                               ['charge_id', 'rule_id', 'method', 'team_id', 'weight'], costs) }}
),

allocated as (
    select
        c.charge_id,
        c.provider,
        c.billing_period,
        c.charge_date,
        c.billing_currency,
        c.charge_category,
        c.service_name,
        c.sub_account_id,
        c.resource_id,
        c.resource_name,
        c.team_id as source_team_id,
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
    inner join charges as c on c.charge_id = s.charge_id
    left join teams as t on t.team_id = s.team_id
),

direct as (
    select
        c.charge_id,
        c.provider,
        c.billing_period,
        c.charge_date,
        c.billing_currency,
        c.charge_category,
        c.service_name,
        c.sub_account_id,
        c.resource_id,
        c.resource_name,
        c.team_id as source_team_id,
        c.team_id,
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
    where not exists (select 1 from first_rule as f where f.charge_id = c.charge_id)
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
