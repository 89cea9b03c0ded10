{{ config(materialized='table') }}
{#- Each distinct kind of bill line, classified once: its cost category (seed cost_categories, first match by
    priority) and the shared-service rule that claims it when it is untagged (seed allocation_rules).
    A kind is bill_line_kind(): the bill format picks the seed's row set — CUR rows by product code, usage type and
    operation, FOCUS rows of any provider by ServiceCategory, with ServiceName overrides (docs/cloud-bill.md). -#}
{%- set kind = bill_line_kind() -%}
{%- set line_kind = ['service_code', 'usage_type', 'operation', 'line_item_type'] -%}

with kinds as (
    select distinct
        {% for c in kind -%}
        coalesce({{ c }}, '') as {{ c }}{{ ',' if not loop.last }}
        {% endfor -%}
    from {{ ref('int_bill_line_items_unioned') }}
),

categories as (
    select
        {{ qualified('k', kind) }},
        c.category,
        row_number() over (partition by {{ qualified('k', kind) }} order by c.priority) as pick
    from kinds as k
    inner join {{ ref('cost_categories') }} as c
        on k.bill_format like c.bill_format_like
        and k.service_category like c.service_category_like
        and k.service_code like c.service_code_like
        and k.usage_type like c.usage_type_like
        and k.operation like c.operation_like
),

shared_rules as (
    select
        {{ qualified('k', line_kind) }},
        min(r.rule_id) as shared_rule_id
    from kinds as k
    inner join {{ ref('allocation_rules') }} as r
        on (r.applies_to = 'cloud_service_code' and r.match_value = k.service_code)
        or (r.applies_to = 'cloud_line_item_type' and r.match_value = k.line_item_type)
        or (r.applies_to = 'cloud_usage_type_like' and k.usage_type like r.match_value)
    group by 1, 2, 3, 4
)

select
    {{ qualified('k', kind) }},
    coalesce(c.category, 'other') as category,
    s.shared_rule_id
from kinds as k
left join categories as c
    on {{ keys_match('c', 'k', kind) }} and c.pick = 1
left join shared_rules as s
    on {{ keys_match('s', 'k', line_kind) }}
