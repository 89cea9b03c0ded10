{#-
  The workload each pod belongs to (docs/marts.md, workload_efficiency_daily), one row per (cluster, namespace,
  pod) OpenCost saw: its top controller of kind Deployment, StatefulSet, DaemonSet, CronJob or Job in the
  snapshots (pod → ReplicaSet → Deployment, pod → Job → CronJob; the pod's newest snapshot names its owner), else
  OpenCost's own controller of those kinds, else the pod itself (workload_kind Pod).
-#}
{%- set workload_kinds = "('Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job')" -%}

with objects as (
    select * from {{ ref('stg_kubernetes__objects') }}
),

pods as (
    select cluster, namespace, name as pod, owner_uid
    from (
        select *, row_number() over (partition by cluster, namespace, name order by snapshot_at desc) as newest
        from objects
        where kind = 'Pod'
    ) as p
    where newest = 1
),

controllers as (
    select cluster, uid, min(kind) as kind, min(name) as name, min(owner_uid) as owner_uid
    from objects
    where kind in ('ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob') and uid is not null
    group by 1, 2
),

opencost as (
    select cluster, namespace, pod, min(controller_kind) as controller_kind, min(controller) as controller
    from {{ ref('stg_opencost__allocations') }}
    where not is_synthetic
    group by 1, 2, 3
),

walked as (
    select
        o.cluster, o.namespace, o.pod,
        case when top.kind in {{ workload_kinds }} then top.kind
             when c.kind in {{ workload_kinds }} then c.kind end as snapshot_kind,
        case when top.kind in {{ workload_kinds }} then top.name
             when c.kind in {{ workload_kinds }} then c.name end as snapshot_name,
        o.controller_kind, o.controller
    from opencost as o
    left join pods as p
        on p.cluster = o.cluster and p.namespace = o.namespace and p.pod = o.pod
    left join controllers as c
        on c.cluster = p.cluster and c.uid = p.owner_uid
    left join controllers as top
        on top.cluster = c.cluster and top.uid = c.owner_uid
)

select
    cluster,
    namespace,
    pod,
    case
        when snapshot_kind is not null then snapshot_kind
        when lower(controller_kind) = 'deployment' then 'Deployment'
        when lower(controller_kind) = 'statefulset' then 'StatefulSet'
        when lower(controller_kind) = 'daemonset' then 'DaemonSet'
        when lower(controller_kind) = 'cronjob' then 'CronJob'
        when lower(controller_kind) = 'job' then 'Job'
        else 'Pod'
    end as workload_kind,
    case
        when snapshot_kind is not null then snapshot_name
        when lower(controller_kind) in ('deployment', 'statefulset', 'daemonset', 'cronjob', 'job')
             and coalesce(controller, '') <> '' then controller
        else pod
    end as workload
from walked
