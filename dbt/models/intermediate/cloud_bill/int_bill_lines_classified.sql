{{ config(materialized='table') }}
{#- Each distinct kind of bill line, classified once: its cost category (seed cost_categories, first match by
    priority). Which policy rule claims an untagged row is int_costs_attributed's question (it reads the tags too). -#}
{%- set line_kind = ['service_code', 'usage_type', 'operation', 'line_item_type'] -%}

with kinds as (
    select distinct
        {% for c in line_kind -%}
        coalesce({{ c }}, '') as {{ c }}{{ ',' if not loop.last }}
        {% endfor -%}
    from {{ ref('int_bill_line_items_unioned') }}
),

categories as (
    select
        {{ qualified('k', line_kind) }},
        c.category,
        row_number() over (partition by {{ qualified('k', line_kind) }} order by c.priority) as pick
    from kinds as k
    inner join {{ ref('cost_categories') }} as c
        on (c.service_code = '*' or c.service_code = k.service_code)
        and k.usage_type like c.usage_type_like
        and k.operation like c.operation_like
)

select
    {{ qualified('k', line_kind) }},
    coalesce(c.category, 'other') as category
from kinds as k
left join categories as c
    on {{ keys_match('c', 'k', line_kind) }} and c.pick = 1
