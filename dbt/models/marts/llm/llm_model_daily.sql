{#- What each LLM model cost per UTC day, over every tenant and feature: the daily report's model chart and its
    cache hit rate trend. A roll-up of llm_token_economics_daily, so per day cost_usd sums to the ledger's LLM cost
    like it; the ratios are recomputed from the summed tokens (a mean of the call-level ratios would weigh a
    tenant's ten calls like another's ten thousand). -#}
with daily as (
    select
        usage_date,
        provider,
        model,
        sum(calls) as calls,
        sum(input_tokens) as input_tokens,
        sum(cache_read_input_tokens) as cache_read_input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cost_usd) as cost_usd
    from {{ ref('llm_token_economics_daily') }}
    group by 1, 2, 3
),

economics as (
    select
        daily.*,
        {{ cost_per_1k_tokens('cost_usd', 'input_tokens', 'output_tokens') }} as cost_per_1k_tokens_usd,
        {{ cache_hit_rate('cache_read_input_tokens', 'input_tokens') }} as cache_hit_rate
    from daily
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from economics
