{#- Every dollar that moved, in one relation, with the rule and the method that moved it: shared workloads
    (int_shared_workloads_split), policy rules (int_shared_pools_split), Bedrock bill rows split by their calls
    (int_bedrock_costs_split), and node idle the policy shares (rule idle_share, method share or share_by_node:
    from __idle__ to the pod's owner, or to the pool its pod's dollars go to). One row per piece, from a pool
    (from_*) to a tenant and feature (to_*); the ledger books the to_* side of every move but idle_share's (whose
    final dollars int_costs_attributed holds, or a later move), allocation_breakdown shows them all. -#}
select * from {{ ref('int_shared_workloads_split') }}
union all
select * from {{ ref('int_shared_pools_split') }}
union all
select * from {{ ref('int_bedrock_costs_split') }}
union all
select
    a.usage_date, a.source_id, a.cost_source, a.category,
    '__idle__' as from_tenant_id, '__idle__' as from_feature_id,
    a.owner_tenant_id as to_tenant_id, a.owner_feature_id as to_feature_id,
    'idle' as cost_type, 'idle_share' as rule_id, s.idle as method, sum(a.amount_usd) as amount_usd
from {{ ref('int_costs_attributed') }} as a
cross join {{ ref('stg_allocation_policy__settings') }} as s
where a.is_idle_share
group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
