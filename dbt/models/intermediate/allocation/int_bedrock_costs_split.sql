{#-
  Model inference billed on the cloud bill (Bedrock rows, category ai_tokens, untagged) split over that day's
  Bedrock calls by their priced cost (docs/allocation.md): the calls add no dollars, they only say whose the bill's
  dollars are. A call without an owner keeps its share as __unallocated__; a day with Bedrock cost but no logged
  calls goes to __unallocated__ with rule no_driver.
-#}
with drivers as (
    select
        usage_date,
        coalesce(tenant_id, '__unallocated__') as tenant_id,
        coalesce(feature_id, '__unallocated__') as feature_id,
        sum(call_cost_usd) as weight
    from {{ ref('int_llm_calls_owned') }}
    where invoicing_provider = 'aws' and {{ in_run_window('usage_date') }}
    group by 1, 2, 3
    having sum(call_cost_usd) > 0
),

{{ split_daily_pool('llm_calls_on_bill', 'drivers',
                    "case when tenant_id = '__unallocated__' then 'unallocated' else 'direct' end") }}
