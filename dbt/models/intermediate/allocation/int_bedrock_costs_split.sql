{#-
  Model inference billed on the cloud bill (Bedrock rows, category ai_tokens, untagged) split over that day's
  Bedrock calls by their priced cost (DESIGN.md §3.1): the calls add no dollars, they only say whose the bill's
  dollars are. A call without an owner keeps its share as __unallocated__; a day with Bedrock cost but no logged
  calls goes to __unallocated__ with rule no_driver.
-#}
with pending as (
    select usage_date, source_id, cost_source, category, rule_id, sum(amount_usd) as amount_usd
    from {{ ref('int_cost_attributed') }}
    where allocation = 'llm_calls_on_bill'
    group by 1, 2, 3, 4, 5
),

drivers as (
    select
        usage_date,
        coalesce(tenant_id, '__unallocated__') as tenant_id,
        coalesce(feature_id, '__unallocated__') as feature_id,
        sum(call_cost_usd) as calls_cost_usd
    from {{ ref('int_llm_calls_owned') }}
    where invoicing_provider = 'aws' and {{ in_run_window('usage_date') }}
    group by 1, 2, 3
    having sum(call_cost_usd) > 0
),

recipients as (
    select p.*, d.tenant_id, d.feature_id, d.calls_cost_usd as weight
    from pending as p
    inner join drivers as d
        on d.usage_date = p.usage_date
),

split as (
    {{ exact_split('recipients', 'amount_usd', 'weight',
                   ['usage_date', 'source_id', 'cost_source', 'category', 'rule_id'],
                   ['r.tenant_id', 'r.feature_id']) }}
)

select
    usage_date, source_id, cost_source, category,
    '__unallocated__' as from_tenant_id, '__unallocated__' as from_feature_id,
    tenant_id as to_tenant_id, feature_id as to_feature_id,
    case when tenant_id = '__unallocated__' then 'unallocated' else 'direct' end as cost_type,
    rule_id, allocated_usd as amount_usd
from split
union all
select
    p.usage_date, p.source_id, p.cost_source, p.category,
    '__unallocated__', '__unallocated__', '__unallocated__', '__unallocated__',
    'unallocated', 'no_driver', p.amount_usd
from pending as p
where not exists (select 1 from drivers as d where d.usage_date = p.usage_date)
