{#-
  Model inference billed on the cloud bill (Bedrock rows, category ai_tokens, untagged) split over that day's
  Bedrock calls by their priced cost (docs/allocation.md), method priced_calls: the calls add no dollars, they only
  say whose the bill's dollars are. A call without an owner keeps its share as __unallocated__; a day with Bedrock
  cost but no logged calls goes to __unallocated__ with rule no_driver.
-#}
with bedrock_calls as (
    select
        usage_date,
        'priced_calls' as driver,
        'all' as scope,
        '' as scope_key,
        coalesce(tenant_id, '__unallocated__') as tenant_id,
        coalesce(feature_id, '__unallocated__') as feature_id,
        cast(sum(call_cost_usd) as {{ weight_type() }}) as weight
    from {{ ref('int_llm_calls_owned') }}
    where invoicing_provider = 'aws' and {{ in_run_window('usage_date') }}
    group by 1, 2, 3, 4, 5, 6
    having sum(call_cost_usd) > 0
),

{{ split_pool('llm_calls_on_bill', 'bedrock_calls') }}
