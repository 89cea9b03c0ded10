{{ config(materialized='table') }}
{#-
  The bill's EBS volumes and load balancers that are a cluster's (docs/kubernetes.md#volumes-and-load-balancers),
  one row per resource id of the run's bill rows: a volume whose id a PersistentVolume names (spec.csi.volumeHandle,
  spec.awsElasticBlockStore.volumeID), a load balancer whose name a LoadBalancer Service names (annotation
  aws-load-balancer-name, or its ingress hostname), or either kind when a row of it carries a tag the Kubernetes
  controllers set (has_cluster_resource_tag). `cluster` is null for a tagged resource no snapshot names; such a
  resource is unmatched. Every other volume or load balancer stays an ordinary bill row (its tags decide).
-#}
with bill_resources as (
    select
        resource_id,
        {{ cluster_resource_kind('resource_id') }} as resource_kind,
        max(case when {{ has_cluster_resource_tag('tags') }} then 1 else 0 end) as has_cluster_tag
    from {{ ref('int_bill_costs_spread') }}
    where {{ in_run_window('usage_date') }}
      and {{ cluster_resource_kind('resource_id') }} is not null
    group by 1, 2
),

keyed as (
    select
        *,
        case when resource_kind = 'volume' then resource_id
             else {{ load_balancer_name_from_arn('resource_id') }} end as resource_key
    from bill_resources
),

known as (
    select cluster, 'volume' as resource_kind, value as resource_key
    from {{ ref('stg_kubernetes__object_refs') }}
    where kind = 'PersistentVolume' and ref = 'volume_id'
    union all
    select cluster, 'load_balancer' as resource_kind, value as resource_key
    from {{ ref('stg_kubernetes__object_refs') }}
    where kind = 'Service' and ref = 'load_balancer'
)

select
    k.resource_id,
    k.resource_kind,
    k.resource_key,
    -- a volume id is one volume; a load balancer name is unique within an account and region
    min(known.cluster) as cluster
from keyed as k
left join known
    on known.resource_kind = k.resource_kind and known.resource_key = k.resource_key
group by 1, 2, 3
having min(known.cluster) is not null or max(k.has_cluster_tag) = 1
