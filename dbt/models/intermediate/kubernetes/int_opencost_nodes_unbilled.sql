{{ config(**day_partitioned_incremental()) }}
{#-
  Diagnostics: node-days OpenCost reports (pods or /assets) that no ingested bill has compute for - another
  account's or provider's nodes, a bill not delivered yet, a node whose instance id could not be matched. Their
  OpenCost cost is list price and adds no dollar to the ledger (docs/kubernetes.md).
-#}
with nodes as (
    select distinct cluster, node, instance_id from {{ ref('int_node_instances_matched') }}
),

pod_nodes as (
    select
        a.cluster, a.usage_date, a.node,
        coalesce(max({{ instance_id_from_provider_id('a.provider_id') }}), max(n.instance_id)) as instance_id,
        count(distinct a.namespace || '/' || a.pod) as pods,
        sum(a.compute_weight) as opencost_pods_cost
    from {{ ref('stg_opencost__allocations') }} as a
    left join nodes as n
        on n.cluster = a.cluster and n.node = a.node
    where not a.is_synthetic and a.node is not null and {{ in_run_window('a.usage_date') }}
    group by a.cluster, a.usage_date, a.node
),

asset_nodes as (
    select cluster, usage_date, name as node, instance_id, sum(total_cost) as opencost_node_cost
    from {{ ref('stg_opencost__assets') }}
    where asset_type = 'Node' and {{ in_run_window('usage_date') }}
    group by 1, 2, 3, 4
),

opencost_nodes as (
    select
        coalesce(p.cluster, a.cluster) as cluster,
        coalesce(p.usage_date, a.usage_date) as usage_date,
        coalesce(p.node, a.node) as node,
        coalesce(p.instance_id, a.instance_id) as instance_id,
        coalesce(p.pods, 0) as pods,
        coalesce(p.opencost_pods_cost, 0) as opencost_pods_cost,
        a.opencost_node_cost
    from pod_nodes as p
    full outer join asset_nodes as a
        on a.cluster = p.cluster and a.usage_date = p.usage_date and a.node = p.node
)

select o.*
from opencost_nodes as o
where not exists (
    select 1 from {{ ref('int_node_costs_summed') }} as b
    where b.cluster = o.cluster and b.usage_date = o.usage_date and b.instance_id = o.instance_id
)
