{#- Which cloud instance each cluster node is: the Node's spec.providerID (tail), else OpenCost's providerID. -#}
with from_snapshots as (
    select distinct cluster, name as node, instance_id
    from {{ ref('stg_kubernetes__objects') }}
    where kind = 'Node' and instance_id is not null
),

from_opencost as (
    select distinct cluster, node, {{ instance_id_from_provider_id('provider_id') }} as instance_id
    from {{ ref('stg_opencost__allocations') }}
    where node is not null and provider_id is not null
),

from_assets as (
    select distinct cluster, name as node, instance_id
    from {{ ref('stg_opencost__assets') }}
    where asset_type = 'Node' and instance_id is not null
),

unioned as (
    select * from from_snapshots
    union all
    select * from from_opencost where instance_id like 'i-%'
    union all
    select * from from_assets where instance_id like 'i-%'
)

select distinct cluster, node, instance_id from unioned
