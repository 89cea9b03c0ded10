{#-
  A day's pool of dollars split over that day's drivers. `pending_allocation` picks the pool rows of
  int_costs_attributed (grouped per day, source, cost source, category and rule); `drivers` is a CTE name with one
  row per (usage_date, tenant_id, feature_id) and a positive `weight`. Each pool is split exactly over its day's
  drivers (exact_split); a day without drivers goes to __unallocated__ with rule no_driver. Returns the moved
  rows in the allocation_breakdown shape plus cost_type (`cost_type_expr`, over the split's columns).
-#}
{% macro split_daily_pool(pending_allocation, drivers, cost_type_expr) -%}
pending as (
    select usage_date, source_id, cost_source, category, rule_id, sum(amount_usd) as amount_usd
    from {{ ref('int_costs_attributed') }}
    where allocation = '{{ pending_allocation }}'
    group by 1, 2, 3, 4, 5
),

recipients as (
    select p.*, d.tenant_id, d.feature_id, d.weight
    from pending as p
    inner join {{ drivers }} as d
        on d.usage_date = p.usage_date
),

split as (
    {{ exact_split('recipients', 'amount_usd', 'weight',
                   ['usage_date', 'source_id', 'cost_source', 'category', 'rule_id'],
                   ['r.tenant_id', 'r.feature_id']) }}
)

select
    usage_date, source_id, cost_source, category,
    '__unallocated__' as from_tenant_id, '__unallocated__' as from_feature_id,
    tenant_id as to_tenant_id, feature_id as to_feature_id,
    {{ cost_type_expr }} as cost_type, rule_id, allocated_usd as amount_usd
from split
union all
select
    p.usage_date, p.source_id, p.cost_source, p.category,
    '__unallocated__', '__unallocated__', '__unallocated__', '__unallocated__',
    'unallocated', 'no_driver', p.amount_usd
from pending as p
where not exists (select 1 from {{ drivers }} as d where d.usage_date = p.usage_date)
{%- endmacro %}
