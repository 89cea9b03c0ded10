{#-
  B(n, d): the effective cost of each cluster node's compute rows on day d (docs/kubernetes.md): the instance's
  RunInstances rows that are not data transfer. The instance's other rows stay ordinary cloud cost.
-#}
with nodes as (
    select distinct cluster, instance_id from {{ ref('int_node_instances_matched') }}
),

bill as (
    select * from {{ ref('int_bill_costs_spread') }}
)

select
    bill.usage_date,
    bill.source_id,
    nodes.cluster,
    bill.resource_id as instance_id,
    -- one instance bills to one account; the node's account is its pods' (scope account, docs/allocation.md)
    min(bill.billing_account_id) as billing_account_id,
    sum(bill.effective_cost) as billed_compute_cost
from bill
inner join nodes
    on nodes.instance_id = bill.resource_id
where bill.operation like 'RunInstances%'
  and coalesce(bill.usage_type, '') not like '%DataXfer%'
  and {{ in_run_window('bill.usage_date') }}
group by bill.usage_date, bill.source_id, nodes.cluster, bill.resource_id
