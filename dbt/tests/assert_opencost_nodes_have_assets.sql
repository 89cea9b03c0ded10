{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_opencost__assets'}}}) }}
{#- A node with OpenCost pods but no /assets entry that day: N is unknown, so its pods take the whole billed cost
    and its idle is missing (docs/kubernetes.md#node-reconciliation-the-billed-cost-of-a-node-divided). -#}
with pod_nodes as (
    select distinct cluster, usage_date, node, {{ instance_id_from_provider_id('provider_id') }} as instance_id
    from {{ ref('stg_opencost__allocations') }}
    where not is_synthetic and node is not null and {{ in_run_window('usage_date') }}
),

asset_nodes as (
    select cluster, usage_date, name, instance_id
    from {{ ref('stg_opencost__assets') }}
    where asset_type = 'Node'
)

select p.cluster, p.node, p.usage_date
from pod_nodes as p
where not exists (
    select 1 from asset_nodes as a
    where a.cluster = p.cluster and a.usage_date = p.usage_date
      and (a.name = p.node or a.instance_id = p.instance_id)
)
