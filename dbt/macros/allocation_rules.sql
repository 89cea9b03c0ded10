{#- How a dollar without an owner of its own finds its policy rule (docs/allocation.md, "The policy"). -#}

{#- One condition of stg_allocation_policy__conditions (alias c) against a kind's column: usage_type values are LIKE
    patterns, a label condition reads the JSON labels (a pod's) or tags (a bill row's) by its key, the rest are
    exact. -#}
{% macro policy_condition_holds(match_key, column) -%}
    {%- if match_key == 'usage_type' -%}
        {{ matches_pattern(column, 'c.pattern') }}
    {%- elif match_key == 'label' -%}
        {{ tag(column, 'c.label_key') }} = c.pattern
    {%- else -%}
        {{ column }} = c.pattern
    {%- endif -%}
{%- endmacro %}

{#- The first policy rule (in rule_order) that matches each row of `kinds`: every condition key of the rule holds
    (AND), each by one of its values (OR). `attributes` maps the match keys a kind has to its columns; a rule that
    needs a key the kind lacks never matches it (namespace never holds for a bill row). Rules of scope cluster see
    pods only: a bill row has no cluster (`has_cluster` false). Returns `key_columns` and rule_order, for the kinds a
    rule matches. -#}
{% macro first_matching_rule(kinds, key_columns, attributes, has_cluster) -%}
select {{ qualified('held', key_columns) }}, min(held.rule_order) as rule_order
from (
    select {{ qualified('k', key_columns) }}, c.rule_order, count(distinct c.condition_key) as keys_held
    from {{ kinds }} as k
    inner join {{ ref('stg_allocation_policy__conditions') }} as c
        on {% for key, column in attributes.items() -%}
        {{ ' or ' if not loop.first }}(c.match_key = '{{ key }}' and {{ policy_condition_holds(key, 'k.' ~ column) }})
        {%- endfor %}
    group by {{ qualified('k', key_columns) }}, c.rule_order
) as held
inner join (
    select r.rule_order, r.scope, count(distinct c.condition_key) as keys_needed
    from {{ ref('stg_allocation_policy__rules') }} as r
    inner join {{ ref('stg_allocation_policy__conditions') }} as c
        on c.rule_order = r.rule_order
    group by r.rule_order, r.scope
) as needed
    on needed.rule_order = held.rule_order and needed.keys_needed = held.keys_held
    {%- if not has_cluster %} and needed.scope <> 'cluster'{% endif %}
group by {{ qualified('held', key_columns) }}
{%- endmacro %}
