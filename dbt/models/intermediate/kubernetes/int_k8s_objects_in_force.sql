{#-
  When each version of each Kubernetes object was in force (docs/kubernetes.md#who-owns-a-pod): from its first
  snapshot until the next version's, the first version also before the object's first snapshot and the last one
  after its last (a deleted object keeps its last labels; a missing day of snapshots keeps the last earlier one).
  OpenCost names a pod, and a pod names its namespace, by name only: pods and namespaces have one timeline per name,
  so a re-created pod's first version ends its predecessor's. Controllers are found by uid (ownerReferences).
-#}
with versions as (
    select
        *,
        case when kind in ('Pod', 'Namespace') then coalesce(namespace, '') || '/' || name else uid end as timeline
    from {{ ref('int_k8s_objects_versioned') }}
)

select
    cluster, kind, namespace, name, uid, version, labels, owner_kind, owner_uid, valid_from,
    case when row_number() over (partition by cluster, kind, timeline order by valid_from) > 1 then valid_from end
        as in_force_from,
    lead(valid_from) over (partition by cluster, kind, timeline order by valid_from) as in_force_to
from versions
