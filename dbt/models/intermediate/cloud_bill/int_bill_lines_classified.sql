{{ config(materialized='table') }}
{#- Each distinct kind of bill line, classified once: its cost category (seed cost_categories, first match by
    priority) and the shared-service rule that claims it when it is untagged (seed allocation_rules). -#}
with kinds as (
    select distinct
        coalesce(service_code, '') as service_code,
        coalesce(usage_type, '') as usage_type,
        coalesce(operation, '') as operation,
        coalesce(line_item_type, '') as line_item_type
    from {{ ref('int_bill_line_items_unioned') }}
),

categories as (
    select
        k.service_code, k.usage_type, k.operation, k.line_item_type,
        c.category,
        row_number() over (
            partition by k.service_code, k.usage_type, k.operation, k.line_item_type order by c.priority
        ) as pick
    from kinds as k
    inner join {{ ref('cost_categories') }} as c
        on (c.service_code = '*' or c.service_code = k.service_code)
        and k.usage_type like c.usage_type_like
        and k.operation like c.operation_like
),

shared_rules as (
    select
        k.service_code, k.usage_type, k.operation, k.line_item_type,
        min(r.rule_id) as shared_rule_id
    from kinds as k
    inner join {{ ref('allocation_rules') }} as r
        on (r.applies_to = 'cloud_service_code' and r.match_value = k.service_code)
        or (r.applies_to = 'cloud_line_item_type' and r.match_value = k.line_item_type)
        or (r.applies_to = 'cloud_usage_type_like' and k.usage_type like r.match_value)
    group by 1, 2, 3, 4
)

select
    k.service_code, k.usage_type, k.operation, k.line_item_type,
    coalesce(c.category, 'other') as category,
    s.shared_rule_id
from kinds as k
left join categories as c
    on c.service_code = k.service_code and c.usage_type = k.usage_type
    and c.operation = k.operation and c.line_item_type = k.line_item_type and c.pick = 1
left join shared_rules as s
    on s.service_code = k.service_code and s.usage_type = k.usage_type
    and s.operation = k.operation and s.line_item_type = k.line_item_type
