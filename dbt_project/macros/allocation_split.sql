{#- Shared-cost allocation building blocks: the weights of one driver
    (models/intermediate/allocation/int_allocation_weights.sql) and the split of amounts into whole
    cents (models/marts/finops/fct_charges_allocated.sql). Plain SQL for DuckDB and Postgres. -#}

{#- One driver's rows of int_allocation_weights: the rules of `rules` whose driver is in
    `drivers`, joined to `relation` (as `alias`) by the trimmed rule_id, or by the SQL condition
    `on` (a driver scope match); `also_from` adds a join, `also_where` a condition. Columns:
    rule_id, billing_period, team_id, weight decimal(38, 10); `weight` is summed per rule, period
    and team unless `aggregate` is false. -#}
{% macro allocation_driver_weights(rules, drivers, relation, alias, billing_period, team_id, weight,
                                   on=none, also_from='', also_where=none, aggregate=true) -%}
    select
        r.rule_id,
        {{ billing_period }} as billing_period,
        {{ team_id }} as team_id,
        cast({{ 'sum(' ~ weight ~ ')' if aggregate else weight }} as decimal(38, 10)) as weight
    from {{ rules }} as r
    inner join {{ relation }} as {{ alias }}
        on {{ on if on is not none else 'trim(' ~ alias ~ '.rule_id) = r.rule_id' }}
    {{ also_from }}
    where r.driver in ({% for d in drivers %}'{{ d }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- if also_where is not none %} and {{ also_where }}{% endif %}
    {%- if aggregate %}
    group by r.rule_id, {{ billing_period }}, {{ team_id }}
    {%- endif %}
{%- endmacro %}

{#- Split every amount of `source` over the rows of its group (`partition_by`) in proportion to
    `weight`, in whole cents by largest remainder: each row gets floor(amount x 100 x weight /
    total weight) cents, and the cents still missing go one each to the rows with the largest
    fractions (ties by `order_by`). The anchor row (the largest weight, ties by `order_by`) takes
    the exact rest instead, so the parts of an amount sum to it exactly (sub-cent digits
    included). `source` has the columns `columns` (kept), `weight` and the `amounts`; the result
    has `columns`, total_weight and each amount's part under the amount's name. -#}
{% macro largest_remainder_cents(source, partition_by, order_by, columns, amounts) -%}
    select
        {%- for col in columns %}
        cents.{{ col }},
        {%- endfor %}
        cents.total_weight,
        {%- for a in amounts %}
        case when cents.is_anchor
             then cents.{{ a }} - (sum(cents.{{ a }}_part) over (partition by cents.{{ partition_by }}) - cents.{{ a }}_part)
             else cents.{{ a }}_part end as {{ a }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            ranked.*,
            {%- for a in amounts %}
            cast(cast(ranked.{{ a }}_floor + case when ranked.{{ a }}_rank <= ranked.{{ a }}_left then 1 else 0 end as decimal(18, 0))
                 * 0.01 as decimal(38, 10)) as {{ a }}_part{{ ',' if not loop.last }}
            {%- endfor %}
        from (
            select
                floored.*,
                {%- for a in amounts %}
                row_number() over (partition by floored.{{ partition_by }} order by floored.{{ a }}_frac desc, floored.{{ order_by }}) as {{ a }}_rank,
                floor(floored.{{ a }} * 100) - sum(floored.{{ a }}_floor) over (partition by floored.{{ partition_by }}) as {{ a }}_left{{ ',' if not loop.last }}
                {%- endfor %}
            from (
                select
                    weighted.*,
                    {%- for a in amounts %}
                    floor(weighted.{{ a }} * 100 * weighted.weight / weighted.total_weight) as {{ a }}_floor,
                    weighted.{{ a }} * 100 * weighted.weight / weighted.total_weight
                        - floor(weighted.{{ a }} * 100 * weighted.weight / weighted.total_weight) as {{ a }}_frac{{ ',' if not loop.last }}
                    {%- endfor %}
                from (
                    select
                        s.*,
                        sum(s.weight) over (partition by s.{{ partition_by }}) as total_weight,
                        row_number() over (partition by s.{{ partition_by }} order by s.weight desc, s.{{ order_by }}) = 1 as is_anchor
                    from {{ source }} as s
                ) as weighted
            ) as floored
        ) as ranked
    ) as cents
{%- endmacro %}
