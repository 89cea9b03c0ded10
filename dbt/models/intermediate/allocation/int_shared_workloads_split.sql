{#-
  Shared workloads (a feature, no tenant: a multi-tenant API) split over tenants by that day's requests for the
  feature (docs/allocation.md). A feature-day without requests goes to __unallocated__ with rule no_driver.
-#}
with pending as (
    select usage_date, source_id, cost_source, category, owner_feature_id as feature_id, rule_id,
        sum(amount_usd) as amount_usd
    from {{ ref('int_costs_attributed') }}
    where allocation = 'shared_workload'
    group by 1, 2, 3, 4, 5, 6
),

drivers as (
    select usage_date, feature_id, tenant_id, sum(requests) as requests
    from {{ ref('stg_requests__counts') }}
    where {{ in_run_window('usage_date') }} and tenant_id is not null and feature_id is not null
    group by 1, 2, 3
    having sum(requests) > 0
),

recipients as (
    select p.*, d.tenant_id, d.requests as weight
    from pending as p
    inner join drivers as d
        on d.usage_date = p.usage_date and d.feature_id = p.feature_id
),

split as (
    {{ exact_split('recipients', 'amount_usd', 'weight',
                   ['usage_date', 'source_id', 'cost_source', 'category', 'feature_id', 'rule_id'],
                   ['r.tenant_id']) }}
)

select
    usage_date, source_id, cost_source, category,
    '__unallocated__' as from_tenant_id, feature_id as from_feature_id,
    tenant_id as to_tenant_id, feature_id as to_feature_id,
    'shared' as cost_type, rule_id, allocated_usd as amount_usd
from split
union all
select
    p.usage_date, p.source_id, p.cost_source, p.category,
    '__unallocated__', p.feature_id,
    '__unallocated__', p.feature_id,
    'unallocated', 'no_driver', p.amount_usd
from pending as p
where not exists (
    select 1 from drivers as d where d.usage_date = p.usage_date and d.feature_id = p.feature_id
)
