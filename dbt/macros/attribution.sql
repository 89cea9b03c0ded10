{#- How int_costs_attributed decides a dollar's fate, one idea per macro (docs/allocation.md, "Who gets a dollar"). -#}

{#- The feature a dollar's own owner gives it: a tenant-only cost gets feature __unallocated__ (docs/allocation.md); a
    feature without a tenant keeps its feature (a shared workload); neither stays null. -#}
{% macro owned_feature(tenant, feature) -%}
    case when {{ tenant }} is not null then coalesce({{ feature }}, '__unallocated__') else {{ feature }} end
{%- endmacro %}

{#- The two branches every cost source shares (docs/allocation.md): a dollar with a tenant is direct; one with
    only a feature is a shared workload, split over tenants by its feature's method (int_costs_attributed names the
    rule shared_workload_<method> once it knows the method). -#}
{% macro owner_branches(tenant, feature) -%}
    {{ return([
        (tenant ~ ' is not null', "'direct'", "'direct'"),
        (feature ~ ' is not null', "'shared_workload'", "'shared_workload'"),
    ]) }}
{%- endmacro %}

{#- A dollar's allocation (what happens to it next) and rule_id (why), from one ordered list of branches, so each
    condition is written once and the two columns cannot disagree on the order. `branches` is a list of
    (condition, allocation, rule) SQL expressions; the last has condition none (the else). A branch with
    allocation none only names a rule: the allocation falls through to the next branch that has one. -#}
{% macro allocation_and_rule(branches) -%}
    case
        {%- for condition, allocation, rule in branches if allocation is not none %}
        {% if condition is none %}else{% else %}when {{ condition }} then{% endif %} {{ allocation }}
        {%- endfor %}
    end as allocation,
    case
        {%- for condition, allocation, rule in branches %}
        {% if condition is none %}else{% else %}when {{ condition }} then{% endif %} {{ rule }}
        {%- endfor %}
    end as rule_id
{%- endmacro %}
