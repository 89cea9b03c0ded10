{#-
  Shared pools (shared namespaces, untagged shared services) split over the (tenant, feature) pairs of real
  tenants in proportion to their direct cost that day across all sources (docs/allocation.md, method proportional).
  A day with no direct cost goes to __unallocated__ with rule no_driver.
-#}
with drivers as (
    select usage_date, owner_tenant_id as tenant_id, owner_feature_id as feature_id, sum(amount_usd) as weight
    from {{ ref('int_costs_attributed') }}
    where allocation = 'direct' and owner_tenant_id not in ('__unallocated__', '__idle__')
    group by 1, 2, 3
    having sum(amount_usd) > 0
),

{{ split_daily_pool('shared_pool', 'drivers', "'shared'") }}
