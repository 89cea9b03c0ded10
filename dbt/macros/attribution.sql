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

{#- The first policy rule (pod_rules, alias r; its rule row, alias rules) of an unowned pod-like dollar (alias
    `row`: a pod's piece, or a volume's or load balancer's piece of a pod or Service): matched by its namespace and
    labels. `is_pod_like` says which rows of `row` are such pieces. -#}
{% macro pod_rule_joined(row, is_pod_like) -%}
    left join pod_rules as r
        on {{ is_pod_like }} and {{ row }}.tenant_id is null and {{ row }}.feature_id is null
        and r.namespace = {{ row }}.kind_namespace and r.labels = {{ row }}.kind_labels
    left join {{ ref('stg_allocation_policy__rules') }} as rules
        on rules.rule_order = r.rule_order
{%- endmacro %}
