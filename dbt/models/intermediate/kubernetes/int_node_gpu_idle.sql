{{ config(materialized='table') }}
{#-
  GPU idle per node-day (docs/kubernetes.md#gpus), a figure beside the ledger, never a second copy of its dollars:
  the node's idle (int_pod_costs_reconciled) already holds these dollars. For a node n with GPUs on day d:
    gpu_capacity_hours   /assets GPUHours (the node's GPU count × the hours OpenCost saw it);
    gpu_requested_hours  Σ of its pods' /allocation gpuHours (OpenCost counts GPU by request);
    gpu_idle_hours       capacity − requested, never negative;
    gpu_idle_usd         the GPU part of the node's idle: B · max(N_gpu − Σ w_gpu, 0) / max(N, Σ w), where
                         N_gpu is the node's /assets gpuCost and w_gpu its pods' gpuCost; the same division of B that
                         gives each pod B · w_p / max(N, Σ w), rounded to the nano-dollar.
  Only nodes with GPU capacity or GPU cost in /assets appear.
-#}
with node_costs as (
    select * from {{ ref('int_node_costs_summed') }}
),

nodes as (
    select distinct cluster, node, instance_id from {{ ref('int_node_instances_matched') }}
),

assets as (
    select
        cluster, usage_date, instance_id, min(name) as node,
        sum(coalesce(gpu_hours, 0)) as gpu_capacity_hours,
        sum(gpu_cost) as assets_gpu_cost,
        sum(total_cost) as assets_total_cost
    from {{ ref('stg_opencost__assets') }}
    where asset_type = 'Node' and {{ in_run_window('usage_date') }}
    group by 1, 2, 3
    having sum(coalesce(gpu_hours, 0)) > 0 or sum(gpu_cost) > 0
),

pods as (
    select
        a.cluster,
        a.usage_date,
        coalesce({{ instance_id_from_provider_id('a.provider_id') }}, nodes.instance_id) as instance_id,
        sum(coalesce(a.gpu_hours, 0)) as gpu_requested_hours,
        sum(a.gpu_cost) as pods_gpu_cost,
        sum(a.compute_weight) as pods_weight
    from {{ ref('stg_opencost__allocations') }} as a
    left join nodes
        on nodes.cluster = a.cluster and nodes.node = a.node
    where not a.is_synthetic and {{ in_run_window('a.usage_date') }}
    group by 1, 2, 3
),

idle as (
    select usage_date, source_id, instance_id, sum(allocated_usd) as node_idle_usd
    from {{ ref('int_pod_costs_reconciled') }}
    where recipient_kind = 'idle'
    group by 1, 2, 3
),

measured as (
    select
        nc.usage_date,
        nc.source_id,
        nc.cluster,
        s.node,
        nc.instance_id,
        s.gpu_capacity_hours,
        coalesce(p.gpu_requested_hours, 0) as gpu_requested_hours,
        greatest(s.gpu_capacity_hours - coalesce(p.gpu_requested_hours, 0), 0) as gpu_idle_hours,
        nc.billed_compute_cost as billed_compute_usd,
        coalesce(i.node_idle_usd, {{ to_money('0') }}) as node_idle_usd,
        cast(greatest(s.assets_gpu_cost - coalesce(p.pods_gpu_cost, 0), 0) as {{ weight_type() }})
            / nullif(cast(greatest(s.assets_total_cost, coalesce(p.pods_weight, 0)) as {{ weight_type() }}), 0)
            as gpu_idle_share
    from node_costs as nc
    inner join assets as s
        on s.cluster = nc.cluster and s.usage_date = nc.usage_date and s.instance_id = nc.instance_id
    left join pods as p
        on p.cluster = nc.cluster and p.usage_date = nc.usage_date and p.instance_id = nc.instance_id
    left join idle as i
        on i.usage_date = nc.usage_date and i.source_id = nc.source_id and i.instance_id = nc.instance_id
)

select
    usage_date, source_id, cluster, node, instance_id,
    gpu_capacity_hours, gpu_requested_hours, gpu_idle_hours,
    billed_compute_usd, node_idle_usd,
    {{ to_money('round(cast(billed_compute_usd as ' ~ weight_type() ~ ') * coalesce(gpu_idle_share, 0), 9)') }}
        as gpu_idle_usd
from measured
