{#-
  Node idle as the policy's `idle` setting says (docs/allocation.md, "Idle"), before any owner or rule is looked at:
    keep          each node-day's idle stays one idle row (tenant __idle__ later, rule node_idle);
    share         each cluster-day's idle is added to every pod-day of the cluster (kube-system, shared-workload and
                  unowned pods included) in proportion to its reconciled cost, one exact split per cluster-day;
    share_by_node the same within each node-day.
  An idle pool with no pod of positive cost to go to stays idle rows. The pieces added to pods are cost_component
  idle: they follow the pod's owner and rules but stay idle (never direct cost). Idle never crosses bill sources,
  so each source still sums to its bill. The no_opencost remainder is not idle and passes through.
-#}
{%- set pool = ['usage_date', 'source_id', 'cluster', 'pool_instance_id'] -%}

with reconciled as (
    select * from {{ ref('int_pod_costs_reconciled') }}
    where {{ in_run_window('usage_date') }}
),

sharing as (
    select idle from {{ ref('stg_allocation_policy__settings') }}
    where idle in ('share', 'share_by_node')
),

{#- the pool a row belongs to: its cluster-day (share) or its node-day (share_by_node) -#}
pooled as (
    select
        r.*,
        case when s.idle = 'share_by_node' then r.instance_id else '*' end as pool_instance_id
    from reconciled as r
    cross join sharing as s
    where r.recipient_kind in ('pod', 'idle')
),

pools as (
    select {{ pool | join(', ') }}, sum(allocated_usd) as idle_usd
    from pooled
    where recipient_kind = 'idle'
    group by {{ pool | join(', ') }}
),

recipients as (
    select
        {{ qualified('p', pool) }}, p.instance_id, p.billing_account_id, p.namespace, p.pod,
        p.allocated_usd as pod_cost_usd, pools.idle_usd
    from pooled as p
    inner join pools
        on {{ keys_match('pools', 'p', pool) }}
    where p.recipient_kind = 'pod' and p.allocated_usd > 0
),

split as (
    {{ exact_split('recipients', 'idle_usd', 'pod_cost_usd', pool, ['r.instance_id', 'r.namespace', 'r.pod']) }}
),

shared_idle_rows as (
    select i.usage_date, i.source_id, i.instance_id
    from pooled as i
    where i.recipient_kind = 'idle'
      and exists (select 1 from recipients as r where {{ keys_match('r', 'i', pool) }})
)

select
    usage_date, source_id, cluster, instance_id, billing_account_id, recipient_kind, namespace, pod,
    case when recipient_kind = 'idle' then 'idle' else 'pod' end as cost_component,
    allocated_usd as amount_usd
from reconciled as r
where not exists (
    select 1 from shared_idle_rows as s
    where r.recipient_kind = 'idle'
      and s.usage_date = r.usage_date and s.source_id = r.source_id and s.instance_id = r.instance_id
)

union all

select
    usage_date, source_id, cluster, instance_id, billing_account_id, 'pod' as recipient_kind, namespace, pod,
    'idle' as cost_component,
    allocated_usd as amount_usd
from split
where allocated_usd <> 0
