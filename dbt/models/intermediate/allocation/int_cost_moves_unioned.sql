{#- Every dollar a sharing rule moved, in one relation: shared workloads split by requests
    (int_shared_workloads_split), shared pools split by direct cost (int_shared_pools_split) and Bedrock bill rows
    split by their calls (int_bedrock_costs_split). One row per piece, from a pool (from_*) to a tenant and feature
    (to_*); the ledger books the to_* side, allocation_breakdown shows both. -#}
select * from {{ ref('int_shared_workloads_split') }}
union all
select * from {{ ref('int_shared_pools_split') }}
union all
select * from {{ ref('int_bedrock_costs_split') }}
