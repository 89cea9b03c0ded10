{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_run_window('usage_date') }}",
) }}
{#- Per day and source: what the bill says (list, billed, effective) next to what the ledger holds; rebuilt for
    the run's days like the ledger. -#}
with bill as (
    select
        usage_date, source_id, min(billing_period) as billing_period,
        sum(list_cost) as list_cost_usd, sum(billed_cost) as billed_cost_usd, sum(effective_cost) as effective_cost_usd
    from {{ ref('int_bill_costs_spread') }}
    where {{ in_run_window('usage_date') }}
    group by 1, 2
),

llm as (
    {#- an LLM provider's invoice: list = its calls priced from the price table; billed = effective = the day's one
        truth (cost report, else reported cost, else priced tokens) -#}
    select
        usage_date, source_id,
        {{ dbt.concat(["cast(extract(year from usage_date) as " ~ dbt.type_string() ~ ")", "'-'",
                       "lpad(cast(extract(month from usage_date) as " ~ dbt.type_string() ~ "), 2, '0')"]) }}
            as billing_period,
        coalesce(priced_cost_usd, 0) as list_cost_usd, truth_usd as billed_cost_usd, truth_usd as effective_cost_usd
    from {{ ref('int_llm_truths_selected') }}
),

truth as (
    select * from bill
    union all
    select * from llm
),

ledger as (
    select usage_date, source_id, sum(amount_usd) as ledger_total_usd
    from {{ ref('cost_ledger') }}
    where {{ in_run_window('usage_date') }}
    group by 1, 2
)

select
    coalesce(t.usage_date, l.usage_date) as usage_date,
    coalesce(t.source_id, l.source_id) as source_id,
    t.billing_period,
    {{ to_money('coalesce(t.list_cost_usd, 0)') }} as list_cost_usd,
    {{ to_money('coalesce(t.billed_cost_usd, 0)') }} as billed_cost_usd,
    {{ to_money('coalesce(t.effective_cost_usd, 0)') }} as effective_cost_usd,
    {{ to_money('l.ledger_total_usd') }} as ledger_total_usd,
    {{ to_money('coalesce(l.ledger_total_usd, 0) - coalesce(t.effective_cost_usd, 0)') }} as diff_usd
from truth as t
full outer join ledger as l
    on l.usage_date = t.usage_date and l.source_id = t.source_id
