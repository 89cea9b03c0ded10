{#- The truth per day and source (DESIGN.md §3.1): the bill's effective cost plus the LLM cost of providers
    that invoice outside it. The conservation test holds the ledger to this. -#}
with bill as (
    select usage_date, source_id, sum(effective_cost) as truth_usd
    from {{ ref('int_bill_costs_spread') }}
    where {{ in_run_window('usage_date') }}
    group by 1, 2
),

llm as (
    -- one truth per (LLM provider, day): its cost report, else the calls' cost_usd, else priced tokens
    select usage_date, source_id, truth_usd
    from {{ ref('int_llm_truths_selected') }}
    where {{ in_run_window('usage_date') }}
)

select * from bill
union all
select * from llm
