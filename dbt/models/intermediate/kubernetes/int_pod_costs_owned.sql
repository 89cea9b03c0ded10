{{ config(materialized='table') }}
{#-
  Every dollar of node compute with the pod owner it has on its own (docs/kubernetes.md, docs/allocation.md): the
  pieces of int_idle_costs_shared (pods' reconciled cost, idle added to pods, idle rows, no_opencost rows), each pod
  piece split exactly over the pod-day's owners by their weight (int_pod_owners_resolved: the part of the day under
  each owner), with the pod's effective labels the allocation rules match. Idle and no_opencost rows have no owner.
  int_costs_attributed reads pods only through this model.
-#}
{%- set piece = ['usage_date', 'source_id', 'cluster', 'instance_id', 'billing_account_id', 'recipient_kind',
                 'namespace', 'pod', 'cost_component'] -%}

with pieces as (
    select * from {{ ref('int_idle_costs_shared') }}
),

owners as (
    select cluster, usage_date, namespace, pod, tenant_id, feature_id, labels, weight
    from {{ ref('int_pod_owners_resolved') }}
    where {{ in_run_window('usage_date') }}
),

recipients as (
    select
        {{ qualified('p', piece) }},
        p.amount_usd,
        o.tenant_id,
        o.feature_id,
        o.labels,
        coalesce(o.weight, 1) as owner_weight
    from pieces as p
    left join owners as o
        on p.recipient_kind = 'pod'
        and o.cluster = p.cluster and o.usage_date = p.usage_date and o.namespace = p.namespace and o.pod = p.pod
),

split as (
    {{ exact_split('recipients', 'amount_usd', 'owner_weight', piece,
                   ["coalesce(r.tenant_id, '')", "coalesce(r.feature_id, '')"]) }}
)

select
    {{ piece | join(', ') }},
    tenant_id,
    feature_id,
    labels,
    allocated_usd as amount_usd
from split
