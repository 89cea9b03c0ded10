{#-
  Shared workloads (a feature, no tenant: a multi-tenant API) split over the tenants that used the feature that
  day, by the feature's method (unitcost.yaml allocation.shared_workloads, docs/allocation.md): its requests, its
  LLM tokens or its LLM cost. A feature-day without that usage goes to __unallocated__ with rule no_driver.
-#}
with {{ split_pool('shared_workload', ref('int_allocation_drivers_summed')) }}
