{#-
  Shared pools (shared namespaces, untagged shared services) split over the (tenant, feature) pairs of real
  tenants in proportion to their direct cost that day across all sources (DESIGN.md §3.5, method proportional).
  A day with no direct cost goes to __unallocated__ with rule no_driver.
-#}
with pending as (
    select usage_date, source_id, cost_source, category, rule_id, sum(amount_usd) as amount_usd
    from {{ ref('int_cost_attributed') }}
    where allocation = 'shared_pool'
    group by 1, 2, 3, 4, 5
),

drivers as (
    select usage_date, owner_tenant_id as tenant_id, owner_feature_id as feature_id, sum(amount_usd) as direct_usd
    from {{ ref('int_cost_attributed') }}
    where allocation = 'direct' and owner_tenant_id not in ('__unallocated__', '__idle__')
    group by 1, 2, 3
    having sum(amount_usd) > 0
),

recipients as (
    select p.*, d.tenant_id, d.feature_id, d.direct_usd as weight
    from pending as p
    inner join drivers as d
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
    'shared' as cost_type, rule_id, allocated_usd as amount_usd
from split
union all
select
    p.usage_date, p.source_id, p.cost_source, p.category,
    '__unallocated__', '__unallocated__', '__unallocated__', '__unallocated__',
    'unallocated', 'no_driver', p.amount_usd
from pending as p
where not exists (select 1 from drivers as d where d.usage_date = p.usage_date)
