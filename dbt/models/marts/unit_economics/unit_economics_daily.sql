{{ config(**day_partitioned_incremental()) }}
{#- The company's unit economics per day. -#}
with cost as (
    select
        usage_date,
        sum(amount_usd) as total_cost_usd,
        sum(case when cost_source = 'llm' or category = 'ai_tokens' then amount_usd else 0 end) as llm_cost_usd,
        count(distinct case when cost_type = 'direct' and {{ is_real_owner('tenant_id') }}
                            then tenant_id end) as active_tenants
    from {{ ref('cost_ledger') }} where {{ in_run_window('usage_date') }}
    group by 1
),

requests as (
    select usage_date, sum(requests) as requests from {{ ref('stg_requests__counts') }} where {{ in_run_window('usage_date') }} group by 1
),

tokens as (
    select usage_date, sum(input_tokens + output_tokens) as llm_tokens from {{ ref('stg_llm__events') }} where {{ in_run_window('usage_date') }} group by 1
),

daily as (
    select
        c.usage_date,
        c.total_cost_usd,
        c.active_tenants,
        case when c.active_tenants > 0
             then {{ to_money(to_float("c.total_cost_usd") ~ ' / c.active_tenants') }} end as cost_per_tenant_usd,
        coalesce(r.requests, 0) as requests,
        case when r.requests > 0 then {{ to_money(to_float("c.total_cost_usd") ~ ' / r.requests') }} end
            as cost_per_request_usd,
        c.llm_cost_usd,
        coalesce(t.llm_tokens, 0) as llm_tokens,
        case when t.llm_tokens > 0 then {{ to_money(to_float("c.llm_cost_usd") ~ ' * 1000 / t.llm_tokens') }} end
            as llm_cost_per_1k_tokens_usd
    from cost as c
    left join requests as r on r.usage_date = c.usage_date
    left join tokens as t on t.usage_date = c.usage_date
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from daily
