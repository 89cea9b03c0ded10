{{ config(**day_partitioned_incremental()) }}
{#- What each feature costs per day, split into infrastructure, LLM and shared cost, and per use
    (a use = a request or an LLM call). -#}
with cost as (
    select
        usage_date,
        feature_id,
        sum(case when cost_type <> 'shared' and cost_source in ('cloud', 'kubernetes') then amount_usd else 0 end)
            as infra_cost_usd,
        sum(case when cost_type <> 'shared' and cost_source = 'llm' then amount_usd else 0 end) as llm_cost_usd,
        sum(case when cost_type = 'shared' then amount_usd else 0 end) as shared_cost_usd
    from {{ ref('cost_ledger') }} where {{ in_run_window('usage_date') }}
    group by 1, 2
),

uses as (
    select usage_date, feature_id, sum(n) as uses
    from (
        select usage_date, feature_id, requests as n from {{ ref('stg_requests__counts') }} where {{ in_run_window('usage_date') }}
        union all
        select usage_date, feature_id, {{ to_float("calls") }} as n from {{ ref('stg_llm__events') }} where {{ in_run_window('usage_date') }}
    ) as u
    group by 1, 2
),

daily as (
    select
        c.usage_date,
        c.feature_id,
        c.infra_cost_usd,
        c.llm_cost_usd,
        c.shared_cost_usd,
        c.infra_cost_usd + c.llm_cost_usd + c.shared_cost_usd as total_cost_usd,
        coalesce(u.uses, 0) as uses,
        case when u.uses > 0
             then {{ to_money(to_float("c.infra_cost_usd + c.llm_cost_usd + c.shared_cost_usd") ~ ' / u.uses') }}
        end as cost_per_use_usd
    from cost as c
    left join uses as u
        on u.usage_date = c.usage_date and u.feature_id = c.feature_id
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from daily
