{{ config(materialized='table') }}
{#-
  Node cost reconciled to the bill (docs/kubernetes.md). OpenCost's list-price pod costs only weigh pods against
  each other: pod p on node n gets B · w_p / max(N, Σ w), and idle gets B − Σ pods. Implemented as one exact
  split of B over the node's pods plus an idle recipient weighing max(N, Σ w) − Σ w, so pods + idle = B to
  the nano-dollar. A node-day with a bill and an /assets entry but no pods is all idle; one with a bill and no
  OpenCost data at all is returned as one `no_opencost` row.
-#}
with node_costs as (
    select * from {{ ref('int_node_costs_summed') }}
),

nodes as (
    select distinct cluster, node, instance_id from {{ ref('int_node_instances_matched') }}
),

pods as (
    select
        a.cluster,
        a.usage_date,
        coalesce({{ instance_id_from_provider_id('a.provider_id') }}, nodes.instance_id) as instance_id,
        a.namespace,
        a.pod,
        sum(a.compute_weight) as pod_weight
    from {{ ref('stg_opencost__allocations') }} as a
    left join nodes
        on nodes.cluster = a.cluster and nodes.node = a.node
    where not a.is_synthetic
      and {{ in_run_window('a.usage_date') }}
    group by 1, 2, 3, 4, 5
),

node_assets as (
    select cluster, usage_date, instance_id, sum(total_cost) as asset_total_cost
    from {{ ref('stg_opencost__assets') }}
    where asset_type = 'Node' and {{ in_run_window('usage_date') }}
    group by 1, 2, 3
),

pod_totals as (
    select cluster, usage_date, instance_id, sum(pod_weight) as pods_weight
    from pods
    group by 1, 2, 3
),

recipients as (
    select
        nc.usage_date, nc.source_id, nc.cluster, nc.instance_id, nc.billing_account_id, nc.billed_compute_cost,
        'pod' as recipient_kind, p.namespace, p.pod, {{ to_float("p.pod_weight") }} as weight
    from node_costs as nc
    inner join pods as p
        on p.cluster = nc.cluster and p.usage_date = nc.usage_date and p.instance_id = nc.instance_id
    union all
    select
        nc.usage_date, nc.source_id, nc.cluster, nc.instance_id, nc.billing_account_id, nc.billed_compute_cost,
        'idle' as recipient_kind, null as namespace, null as pod,
        -- OpenCost saw the node (/assets) but no pod on it: all of the node was idle
        case when t.pods_weight is null then 1
             else greatest({{ to_float("coalesce(na.asset_total_cost, t.pods_weight)") }}
                           - {{ to_float("t.pods_weight") }}, 0) end as weight
    from node_costs as nc
    left join pod_totals as t
        on t.cluster = nc.cluster and t.usage_date = nc.usage_date and t.instance_id = nc.instance_id
    left join node_assets as na
        on na.cluster = nc.cluster and na.usage_date = nc.usage_date and na.instance_id = nc.instance_id
    where t.pods_weight is not null or na.instance_id is not null
),

splittable as (
    select r.*
    from recipients as r
    inner join (
        select usage_date, source_id, instance_id from recipients group by 1, 2, 3 having sum(weight) > 0
    ) as g using (usage_date, source_id, instance_id)
),

split as (
    {{ exact_split('splittable', 'billed_compute_cost', 'weight',
                   ['usage_date', 'source_id', 'instance_id'],
                   ["coalesce(r.namespace, '')", "coalesce(r.pod, '')"]) }}
),

unmatched as (
    select nc.usage_date, nc.source_id, nc.cluster, nc.instance_id, nc.billing_account_id, nc.billed_compute_cost
    from node_costs as nc
    where not exists (
        select 1 from splittable as s
        where s.usage_date = nc.usage_date and s.source_id = nc.source_id and s.instance_id = nc.instance_id
    )
)

select
    usage_date, source_id, cluster, instance_id, billing_account_id, recipient_kind, namespace, pod,
    billed_compute_cost, weight, allocated_usd
from split
union all
select
    usage_date, source_id, cluster, instance_id, billing_account_id, 'no_opencost' as recipient_kind, null, null,
    billed_compute_cost, 0, billed_compute_cost
from unmatched
