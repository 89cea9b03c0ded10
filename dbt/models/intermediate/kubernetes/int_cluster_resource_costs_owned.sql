{{ config(materialized='table') }}
{#-
  Every dollar of a cluster's volumes and load balancers (int_cluster_resources_identified) with the owner it has on
  its own (docs/kubernetes.md#volumes-and-load-balancers). Per day, bill source, account, category and resource, the
  rows' effective cost is split exactly over the owner pieces of the pods that used the resource that day, by their
  seconds (int_cluster_resource_pods): so a volume claimed by two pods splits by the time each ran, and a pod's part
  splits over its owners as its compute does. A load balancer no pod used that day goes to its Service (evenly over
  its Services, normally one) with the Service's own labels in force at the day's end; a volume or load balancer
  without either is one `unmatched` row. int_costs_attributed reads cluster resources only through this model.
-#}
{%- set tenant_keys = var('tenant_label') -%}
{%- set feature_keys = var('feature_label') -%}
{%- set group = ['usage_date', 'source_id', 'billing_account_id', 'category', 'resource_id'] -%}

with identified as (
    select * from {{ ref('int_cluster_resources_identified') }}
),

costs as (
    select
        b.usage_date, b.source_id, b.billing_account_id, cls.category, b.resource_id,
        i.cluster, i.resource_kind, i.resource_key,
        sum(b.effective_cost) as cost_usd
    from {{ ref('int_bill_costs_spread') }} as b
    inner join identified as i
        on i.resource_id = b.resource_id
    left join {{ ref('int_bill_lines_classified') }} as cls
        on {{ bill_line_kind_matches('cls', 'b') }}
    where {{ in_run_window('b.usage_date') }}
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

pods as (
    select * from {{ ref('int_cluster_resource_pods') }}
),

day_ends as (
    select distinct usage_date, cast({{ dbt.dateadd('day', 1, 'usage_date') }} as {{ dbt.type_timestamp() }}) as day_end
    from costs
),

services as (
    select distinct r.cluster, r.namespace, r.name as service, r.uid, r.value as resource_key
    from {{ ref('stg_kubernetes__object_refs') }} as r
    where r.kind = 'Service' and r.ref = 'load_balancer'
),

{#- a Service's own labels in force at the end of the day (its last version when it was deleted earlier) -#}
service_labels as (
    select s.cluster, s.namespace, s.service, s.resource_key, d.usage_date, v.labels
    from services as s
    cross join day_ends as d
    inner join {{ ref('int_k8s_objects_in_force') }} as v
        on v.cluster = s.cluster and v.uid = s.uid
        and (v.in_force_from is null or v.in_force_from < d.day_end)
        and (v.in_force_to is null or v.in_force_to >= d.day_end)
),

recipients as (
    select
        c.*, 'pod' as recipient_kind, p.namespace, p.pod as recipient, p.tenant_id, p.feature_id, p.labels,
        cast(p.weight as {{ weight_type() }}) as weight
    from costs as c
    inner join pods as p
        on p.usage_date = c.usage_date and p.cluster = c.cluster and p.resource_kind = c.resource_kind
        and p.resource_key = c.resource_key
    union all
    select
        c.*, 'service' as recipient_kind, s.namespace, s.service as recipient,
        {{ first_tag('s.labels', tenant_keys) }} as tenant_id, {{ first_tag('s.labels', feature_keys) }} as feature_id,
        s.labels, cast(1 as {{ weight_type() }}) as weight
    from costs as c
    inner join service_labels as s
        on s.usage_date = c.usage_date and s.cluster = c.cluster and s.resource_key = c.resource_key
    where c.resource_kind = 'load_balancer'
      and not exists (
          select 1 from pods as p
          where p.usage_date = c.usage_date and p.cluster = c.cluster and p.resource_kind = c.resource_kind
            and p.resource_key = c.resource_key
      )
),

split as (
    {{ exact_split('recipients', 'cost_usd', 'weight', group,
                   ['r.namespace', 'r.recipient', "coalesce(r.tenant_id, '')", "coalesce(r.feature_id, '')",
                    "coalesce(r.labels, '')"]) }}
)

select
    usage_date, source_id, billing_account_id, category, cluster, resource_kind, resource_id, recipient_kind,
    namespace, recipient, tenant_id, feature_id, labels, allocated_usd as amount_usd
from split

union all

select
    c.usage_date, c.source_id, c.billing_account_id, c.category, c.cluster, c.resource_kind, c.resource_id,
    'unmatched' as recipient_kind, null, null, null, null, null, c.cost_usd
from costs as c
where not exists (select 1 from recipients as r where {{ keys_match('r', 'c', group) }})
