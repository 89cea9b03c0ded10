{#-
  Who owns each OpenCost pod-day (docs/kubernetes.md): per label key, the pod's own labels in force that day,
  else its controller's (ReplicaSet → Deployment, Job → CronJob), else its namespace's, else OpenCost's
  properties.labels (pods that every snapshot missed), else nobody. A label key configured as a list is read on
  each object as the first of its keys that the object carries (macro first_tag).
-#}
{%- set tenant_keys = var('tenant_label') -%}
{%- set feature_keys = var('feature_label') -%}
{%- set pod_day = ['cluster', 'usage_date', 'namespace', 'pod'] -%}

with pod_days as (
    select {{ pod_day | join(', ') }}, max(labels) as opencost_labels
    from {{ ref('stg_opencost__allocations') }}
    where not is_synthetic
    group by {{ pod_day | join(', ') }}
),

versions as (
    select * from {{ ref('int_k8s_objects_versioned') }}
),

{#- the version in force on the day: the newest one that began before the day ended, else the first one after -#}
pod_version as (
    select
        {{ qualified('d', pod_day) }},
        v.uid, v.labels, v.owner_kind, v.owner_uid,
        row_number() over (
            partition by {{ qualified('d', pod_day) }}
            order by
                case when v.valid_from < {{ dbt.dateadd('day', 1, 'd.usage_date') }} then 0 else 1 end,
                case when v.valid_from < {{ dbt.dateadd('day', 1, 'd.usage_date') }} then v.valid_from end desc,
                v.valid_from
        ) as pick
    from pod_days as d
    inner join versions as v
        on v.kind = 'Pod' and v.cluster = d.cluster and v.namespace = d.namespace and v.name = d.pod
),

latest_object as (
    select *
    from (
        select
            v.*,
            row_number() over (partition by v.cluster, v.uid order by v.valid_from desc) as pick
        from versions as v
    ) as ranked
    where pick = 1
),

namespaces as (
    select cluster, name as namespace, labels
    from latest_object
    where kind = 'Namespace'
),

resolved as (
    select
        {{ qualified('d', pod_day) }},
        pv.uid as pod_uid,
        {{ first_tag('pv.labels', tenant_keys) }} as pod_tenant,
        {{ first_tag('pv.labels', feature_keys) }} as pod_feature,
        coalesce({{ first_tag('c1.labels', tenant_keys) }}, {{ first_tag('c2.labels', tenant_keys) }})
            as controller_tenant,
        coalesce({{ first_tag('c1.labels', feature_keys) }}, {{ first_tag('c2.labels', feature_keys) }})
            as controller_feature,
        {{ first_tag('ns.labels', tenant_keys) }} as namespace_tenant,
        {{ first_tag('ns.labels', feature_keys) }} as namespace_feature,
        {{ first_tag('d.opencost_labels', opencost_label_keys(tenant_keys)) }} as opencost_tenant,
        {{ first_tag('d.opencost_labels', opencost_label_keys(feature_keys)) }} as opencost_feature,
        pv.uid is not null as seen_in_snapshot
    from pod_days as d
    left join pod_version as pv
        on {{ keys_match('pv', 'd', pod_day) }} and pv.pick = 1
    left join latest_object as c1
        on c1.cluster = d.cluster and c1.uid = pv.owner_uid
    left join latest_object as c2
        on c2.cluster = d.cluster and c2.uid = c1.owner_uid
    left join namespaces as ns
        on ns.cluster = d.cluster and ns.namespace = d.namespace
)

select
    {{ pod_day | join(', ') }},
    pod_uid,
    seen_in_snapshot,
    coalesce(pod_tenant, controller_tenant, namespace_tenant, case when not seen_in_snapshot then opencost_tenant end)
        as tenant_id,
    coalesce(pod_feature, controller_feature, namespace_feature, case when not seen_in_snapshot then opencost_feature end)
        as feature_id,
    case
        when pod_tenant is not null or pod_feature is not null then 'pod'
        when controller_tenant is not null or controller_feature is not null then 'controller'
        when namespace_tenant is not null or namespace_feature is not null then 'namespace'
        when not seen_in_snapshot and (opencost_tenant is not null or opencost_feature is not null) then 'opencost'
        else 'none'
    end as owner_source
from resolved
