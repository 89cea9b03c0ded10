{{ config(severity='error', meta={'dagster': {'ref': {'name': 'int_pod_costs_reconciled'}}}) }}
{#- Per node-day, pods + idle (+ the no_opencost remainder) = B, the node's billed compute cost. -#}
with allocated as (
    select usage_date, source_id, instance_id, sum(allocated_usd) as allocated_usd
    from {{ ref('int_pod_costs_reconciled') }}
    group by 1, 2, 3
)

select n.usage_date, n.source_id, n.instance_id, n.billed_compute_cost, a.allocated_usd
from {{ ref('int_node_costs_summed') }} as n
left join allocated as a
    on a.usage_date = n.usage_date and a.source_id = n.source_id and a.instance_id = n.instance_id
where abs(n.billed_compute_cost - coalesce(a.allocated_usd, 0)) >= 0.000001
