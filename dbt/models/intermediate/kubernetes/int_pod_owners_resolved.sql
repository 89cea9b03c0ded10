{#-
  Who owned each OpenCost pod-day, and for how long (docs/kubernetes.md#who-owns-a-pod). The pod's running time
  that day (its OpenCost entries' start-end) is cut wherever the labels in force changed at any level - the pod's
  own, its controller's (ReplicaSet → Deployment, Job → CronJob, or a StatefulSet / DaemonSet), its namespace's -
  and each piece takes, per label key, the pod's value, else the controller's, else the namespace's, else (a pod
  no snapshot saw) OpenCost's properties.labels. Pieces with the same owner and labels are one row; `weight` is
  their seconds, and the rows of a pod-day sum to the seconds it ran, so its cost splits over them by time. A label
  key configured as a list is read on each object as the first of its keys that the object carries (first_tag).
-#}
{%- set tenant_keys = var('tenant_label') -%}
{%- set feature_keys = var('feature_label') -%}
{%- set pod_day = ['cluster', 'usage_date', 'namespace', 'pod'] -%}

with allocations as (
    select
        {{ pod_day | join(', ') }},
        labels,
        running_start,
        -- OpenCost works to the minute: an entry with no length still ran, and still had an owner
        case when running_end > running_start then running_end
             else {{ dbt.dateadd('second', 1, 'running_start') }} end as running_end
    from {{ ref('stg_opencost__allocations') }}
    where not is_synthetic
      and {{ in_run_window('usage_date') }}
),

opencost_labels as (
    select {{ pod_day | join(', ') }}, max(labels) as opencost_labels
    from allocations
    group by {{ pod_day | join(', ') }}
),

{#- the pod's running time as disjoint stretches: its containers share the pod's span, hourly steps abut -#}
spans as (
    select
        {{ pod_day | join(', ') }}, running_start, running_end,
        max(running_end) over (
            partition by {{ pod_day | join(', ') }} order by running_start, running_end
            rows between unbounded preceding and 1 preceding
        ) as earlier_end
    from (select distinct {{ pod_day | join(', ') }}, running_start, running_end from allocations) as distinct_spans
),

stretches as (
    select
        *,
        sum(case when earlier_end is null or running_start > earlier_end then 1 else 0 end) over (
            partition by {{ pod_day | join(', ') }} order by running_start, running_end rows unbounded preceding
        ) as stretch
    from spans
),

running as (
    select {{ pod_day | join(', ') }}, min(running_start) as piece_start, max(running_end) as piece_end
    from stretches
    group by {{ pod_day | join(', ') }}, stretch
),

pod_pieces as (
    {{ pieces_cut_by('running', pod_day,
                     "v.kind = 'Pod' and v.cluster = r.cluster and v.namespace = r.namespace and v.name = r.pod",
                     [], ['v.uid as pod_uid', 'v.labels as pod_labels', 'v.owner_uid']) }}
),

controller_pieces as (
    {{ pieces_cut_by('pod_pieces', pod_day, 'v.cluster = r.cluster and v.uid = r.owner_uid',
                     ['pod_uid', 'pod_labels'], ['v.labels as controller_labels', 'v.owner_uid as top_owner_uid']) }}
),

top_controller_pieces as (
    {{ pieces_cut_by('controller_pieces', pod_day, 'v.cluster = r.cluster and v.uid = r.top_owner_uid',
                     ['pod_uid', 'pod_labels', 'controller_labels'], ['v.labels as top_controller_labels']) }}
),

namespace_pieces as (
    {{ pieces_cut_by('top_controller_pieces', pod_day,
                     "v.kind = 'Namespace' and v.cluster = r.cluster and v.name = r.namespace",
                     ['pod_uid', 'pod_labels', 'controller_labels', 'top_controller_labels'],
                     ['v.labels as namespace_labels']) }}
),

pieces as (
    select
        p.*,
        case when p.pod_uid is null then ol.opencost_labels end as opencost_labels
    from namespace_pieces as p
    left join opencost_labels as ol
        on {{ keys_match('ol', 'p', pod_day) }}
),

resolved as (
    select
        {{ pod_day | join(', ') }},
        pod_uid,
        {{ dbt.datediff('piece_start', 'piece_end', 'second') }} as seconds,
        {{ first_tag('pod_labels', tenant_keys) }} as pod_tenant,
        {{ first_tag('pod_labels', feature_keys) }} as pod_feature,
        coalesce({{ first_tag('controller_labels', tenant_keys) }}, {{ first_tag('top_controller_labels', tenant_keys) }})
            as controller_tenant,
        coalesce({{ first_tag('controller_labels', feature_keys) }}, {{ first_tag('top_controller_labels', feature_keys) }})
            as controller_feature,
        {{ first_tag('namespace_labels', tenant_keys) }} as namespace_tenant,
        {{ first_tag('namespace_labels', feature_keys) }} as namespace_feature,
        {{ first_tag('opencost_labels', opencost_label_keys(tenant_keys)) }} as opencost_tenant,
        {{ first_tag('opencost_labels', opencost_label_keys(feature_keys)) }} as opencost_feature,
        {{ labels_merged(['opencost_labels', 'namespace_labels', 'top_controller_labels', 'controller_labels',
                          'pod_labels']) }} as labels
    from pieces
    where piece_end > piece_start
)

select
    {{ pod_day | join(', ') }},
    pod_uid,
    pod_uid is not null as seen_in_snapshot,
    coalesce(pod_tenant, controller_tenant, namespace_tenant, opencost_tenant) as tenant_id,
    coalesce(pod_feature, controller_feature, namespace_feature, opencost_feature) as feature_id,
    labels,
    case
        when pod_tenant is not null or pod_feature is not null then 'pod'
        when controller_tenant is not null or controller_feature is not null then 'controller'
        when namespace_tenant is not null or namespace_feature is not null then 'namespace'
        when opencost_tenant is not null or opencost_feature is not null then 'opencost'
        else 'none'
    end as owner_source,
    sum(seconds) as weight
from resolved
group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
