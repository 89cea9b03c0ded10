{#-
  Dollars a policy rule claimed (shared namespaces, untagged shared services, ...: unitcost.yaml allocation.rules)
  split by the rule's method over the real tenants of its scope (docs/allocation.md, "The policy"). A rule whose
  driver is empty that day sends its dollars to __unallocated__ with rule no_driver.
-#}
with {{ split_pool('shared_pool', ref('int_allocation_drivers_summed')) }}
