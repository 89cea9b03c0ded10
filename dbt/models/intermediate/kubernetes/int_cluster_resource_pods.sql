{{ config(materialized='table') }}
{#-
  Which pods used each cluster volume and load balancer on each day of the run
  (docs/kubernetes.md#volumes-and-load-balancers), one row per (day, cluster, resource, pod owner piece) with the
  piece's seconds (int_pod_owners_resolved), so a resource-day's cost splits over the pods by the time each ran
  and, within a pod, over its owners as its compute does.
    volume         the pods that ran that day with a claim (spec.volumes[].persistentVolumeClaim.claimName) on the
                   PVC bound to the volume's PersistentVolume (PVC spec.volumeName, or the PV's claimRef);
    load_balancer  the pods that ran that day in the Service's namespace whose own labels in force that day hold
                   every pair of its selector (its newest snapshot's); a Service without a selector selects none.
  Bindings are read from every snapshot (a pod's volumes, a PVC's volume and a PV's handle never change).
-#}
with refs as (
    select * from {{ ref('stg_kubernetes__object_refs') }}
),

-- each binding once, whatever the number of snapshots repeating it: joined per snapshot, the bindings of a
-- day-N history would pair N copies with N copies (a daily run's time grew with the square of its history)
bindings as (
    select distinct cluster, kind, namespace, name, ref, value
    from refs
    where (kind = 'PersistentVolumeClaim' and ref = 'volume_name') or (kind = 'PersistentVolume' and ref in
        ('volume_id', 'claim')) or (kind = 'Pod' and ref = 'claim')
),

pod_days as (
    select cluster, usage_date, namespace, pod, tenant_id, feature_id, labels, weight
    from {{ ref('int_pod_owners_resolved') }}
    where {{ in_run_window('usage_date') }}
),

volume_claims as (
    select pvc.cluster, pvc.namespace, pvc.name as claim, pv.value as resource_key
    from bindings as pvc
    inner join bindings as pv
        on pv.kind = 'PersistentVolume' and pv.ref = 'volume_id' and pv.cluster = pvc.cluster and pv.name = pvc.value
    where pvc.kind = 'PersistentVolumeClaim' and pvc.ref = 'volume_name'
    union all
    select pv.cluster, {{ dbt.split_part('claim.value', "'/'", 1) }} as namespace,
        {{ dbt.split_part('claim.value', "'/'", 2) }} as claim, pv.value as resource_key
    from bindings as claim
    inner join bindings as pv
        on pv.kind = 'PersistentVolume' and pv.ref = 'volume_id' and pv.cluster = claim.cluster
        and pv.name = claim.name
    where claim.kind = 'PersistentVolume' and claim.ref = 'claim'
),

volume_pods as (
    select distinct 'volume' as resource_kind, c.resource_key, p.cluster, p.namespace, p.name as pod
    from bindings as p
    inner join volume_claims as c
        on c.cluster = p.cluster and c.namespace = p.namespace and c.claim = p.value
    where p.kind = 'Pod' and p.ref = 'claim'
),

newest_service_snapshots as (
    select cluster, namespace, name, max(snapshot_at) as snapshot_at
    from refs
    where kind = 'Service'
    group by 1, 2, 3
),

selectors as (
    select distinct r.cluster, r.namespace, r.name as service, r.value as pair
    from refs as r
    inner join newest_service_snapshots as s
        on s.cluster = r.cluster and s.namespace = r.namespace and s.name = r.name and s.snapshot_at = r.snapshot_at
    where r.kind = 'Service' and r.ref = 'selector'
),

selector_sizes as (
    select cluster, namespace, service, count(*) as pairs
    from selectors
    group by 1, 2, 3
),

lb_services as (
    select distinct cluster, namespace, name as service, value as resource_key
    from refs
    where kind = 'Service' and ref = 'load_balancer'
),

running_pod_labels as (
    select distinct d.cluster, d.usage_date, d.namespace, d.pod, v.labels
    from (select distinct cluster, usage_date, namespace, pod from pod_days) as d
    inner join {{ ref('int_k8s_objects_in_force') }} as v
        on v.kind = 'Pod' and v.cluster = d.cluster and v.namespace = d.namespace and v.name = d.pod
        and (v.in_force_from is null
             or v.in_force_from < cast({{ dbt.dateadd('day', 1, 'd.usage_date') }} as {{ dbt.type_timestamp() }}))
        and (v.in_force_to is null or v.in_force_to > cast(d.usage_date as {{ dbt.type_timestamp() }}))
),

selected as (
    select 'load_balancer' as resource_kind, lb.resource_key, p.cluster, p.usage_date, p.namespace, p.pod
    from running_pod_labels as p
    inner join selectors as s
        on s.cluster = p.cluster and s.namespace = p.namespace
        and {{ dbt.position('s.pair', 'p.labels') }} > 0
    inner join selector_sizes as n
        on n.cluster = s.cluster and n.namespace = s.namespace and n.service = s.service
    inner join lb_services as lb
        on lb.cluster = s.cluster and lb.namespace = s.namespace and lb.service = s.service
    group by lb.resource_key, p.cluster, p.usage_date, p.namespace, p.pod, lb.service, p.labels, n.pairs
    -- one version of the pod's labels that day holds every pair of the selector
    having count(distinct s.pair) = n.pairs
),

used as (
    select v.resource_kind, v.resource_key, d.cluster, d.usage_date, d.namespace, d.pod
    from volume_pods as v
    inner join (select distinct cluster, usage_date, namespace, pod from pod_days) as d
        on d.cluster = v.cluster and d.namespace = v.namespace and d.pod = v.pod
    union all
    select resource_kind, resource_key, cluster, usage_date, namespace, pod from selected
)

select
    u.usage_date, u.resource_kind, u.resource_key, u.cluster, u.namespace, u.pod,
    o.tenant_id, o.feature_id, o.labels, o.weight
from (select distinct * from used) as u
inner join pod_days as o
    on o.cluster = u.cluster and o.usage_date = u.usage_date and o.namespace = u.namespace and o.pod = u.pod
