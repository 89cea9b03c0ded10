{{ config(materialized='table') }}
{#- Each distinct kind of bill line, classified once: its cost category (seed cost_categories, first match by
    priority). Which policy rule claims an untagged row is int_costs_attributed's question (it reads the tags too).
    A kind is bill_line_kind(): the bill format picks the seed's row set — CUR rows by product code, usage type and
    operation, FOCUS rows of any provider by ServiceCategory, with ServiceName overrides (docs/cloud-bill.md). -#}
{%- set kind = bill_line_kind() -%}

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
        on {{ matches_pattern('k.bill_format', 'c.bill_format_like') }}
        and {{ matches_pattern('k.service_category', 'c.service_category_like') }}
        and {{ matches_pattern('k.service_code', 'c.service_code_like') }}
        and {{ matches_pattern('k.usage_type', 'c.usage_type_like') }}
        and {{ matches_pattern('k.operation', 'c.operation_like') }}
)

select
    {{ qualified('k', kind) }},
    coalesce(c.category, 'other') as category
from kinds as k
left join categories as c
    on {{ keys_match('c', 'k', kind) }} and c.pick = 1
