{{ config(severity='error', meta={'dagster': {'ref': {'name': 'int_pod_costs_owned'}}}) }}
{#- Sharing idle and splitting a pod over its owners move node compute, never make or lose it: per day and bill
    source, the pieces int_costs_attributed reads sum to B, the nodes' billed compute. -#}
with owned as (
    select usage_date, source_id, sum(amount_usd) as owned_usd
    from {{ ref('int_pod_costs_owned') }}
    group by 1, 2
),

billed as (
    select usage_date, source_id, sum(billed_compute_cost) as billed_usd
    from {{ ref('int_node_costs_summed') }}
    where {{ in_run_window('usage_date') }}
    group by 1, 2
)

select b.usage_date, b.source_id, b.billed_usd, o.owned_usd
from billed as b
left join owned as o
    on o.usage_date = b.usage_date and o.source_id = b.source_id
where o.owned_usd is null or o.owned_usd <> b.billed_usd
