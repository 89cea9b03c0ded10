{{ config(**day_partitioned_incremental()) }}
{#- LLM unit economics per day, tenant, feature, provider and model. cost_usd is what the ledger holds for the calls:
    their own cost plus their share of the invoice residual (int_llm_costs_reconciled), so per day the mart sums to
    the ledger's LLM cost; a provider-day whose invoice found no call to land on is one row with model
    __unallocated__. Tenant and feature are the calls' own owners (a shared workload's calls show tenant
    __unallocated__; the ledger splits their cost over tenants by requests). -#}
with calls as (
    select * from {{ ref('int_llm_calls_invoiced') }}
    where {{ in_run_window('usage_date') }}
),

pieces as (
    select * from {{ ref('int_llm_costs_reconciled') }}
    where {{ in_run_window('usage_date') }}
),

call_costs as (
    select event_id, sum(amount_usd) as cost_usd
    from pieces
    where event_id is not null
    group by 1
),

rows_ as (
    select
        c.usage_date,
        coalesce(c.tenant_id, '__unallocated__') as tenant_id,
        coalesce(c.feature_id, '__unallocated__') as feature_id,
        c.invoicing_provider as provider,
        c.model,
        coalesce(c.calls, 0) as calls,
        c.input_tokens,
        c.uncached_input_tokens,
        c.cache_read_input_tokens,
        c.cache_creation_input_tokens,
        c.output_tokens,
        c.reasoning_output_tokens,
        c.conversation_id,
        coalesce(cc.cost_usd, {{ to_money('0') }}) as cost_usd
    from calls as c
    left join call_costs as cc
        on cc.event_id = c.event_id

    union all

    select
        usage_date, '__unallocated__', '__unallocated__', invoicing_provider, '__unallocated__',
        0, 0, 0, 0, 0, 0, 0, cast(null as {{ dbt.type_string() }}), amount_usd
    from pieces
    where event_id is null
),

daily as (
    select
        usage_date, tenant_id, feature_id, provider, model,
        sum(calls) as calls,
        sum(input_tokens) as input_tokens,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_input_tokens) as cache_read_input_tokens,
        sum(cache_creation_input_tokens) as cache_creation_input_tokens,
        sum(output_tokens) as output_tokens,
        sum(reasoning_output_tokens) as reasoning_output_tokens,
        count(distinct conversation_id) as conversations,
        sum(cost_usd) as cost_usd
    from rows_
    group by 1, 2, 3, 4, 5
),

economics as (
    select
        daily.*,
        {{ cost_per_1k_tokens('cost_usd', 'input_tokens', 'output_tokens') }} as cost_per_1k_tokens_usd,
        {{ cache_hit_rate('cache_read_input_tokens', 'input_tokens') }} as cache_hit_rate,
        case when input_tokens > 0 then {{ to_float("output_tokens") }} / input_tokens end as token_efficiency_ratio,
        case when conversations > 0 then {{ to_money(to_float("cost_usd") ~ ' / conversations') }} end
            as cost_per_conversation_usd
    from daily
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from economics
