{#-
  The truth per (LLM provider, day), docs/allocation.md: exactly one source per provider-day —
    1. the provider's cost report (OpenAI costs, Anthropic cost_report): Σ of its lines that day;
    2. else the calls' provider-reported cost_usd (a call without one counts at its list-priced cost);
    3. else the calls' list-priced cost.
  residual_usd = truth − Σ the calls' own cost: what int_llm_costs_reconciled books as llm_invoice_residual.
  Bedrock (invoicing provider aws) is billed on the CUR and never here.
-#}
with reports as (
    select invoicing_provider, usage_date, sum(amount_usd) as report_usd, count(*) as report_lines
    from {{ ref('stg_llm__cost_reports') }}
    where {{ in_run_window('usage_date') }} and invoicing_provider <> 'aws'
    group by 1, 2
),

calls as (
    select
        invoicing_provider,
        usage_date,
        sum(call_cost_usd) as calls_cost_usd,
        sum(priced_cost_usd) as priced_cost_usd,
        sum(case when reported_cost_usd is not null then 1 else 0 end) as reported_rows,
        count(*) as call_rows
    from {{ ref('int_llm_calls_invoiced') }}
    group by 1, 2
),

joined as (
    {{ side_by_side('reports', 'calls', ['invoicing_provider', 'usage_date'],
                    ['report_usd', 'report_lines'],
                    ['calls_cost_usd', 'priced_cost_usd', 'reported_rows', 'call_rows'],
                    zero_fill=['report_lines', 'reported_rows', 'call_rows']) }}
)

select
    usage_date,
    invoicing_provider,
    'llm:' || invoicing_provider as source_id,
    case
        when report_usd is not null then 'cost_report'
        when reported_rows = call_rows then 'reported_cost'
        when reported_rows > 0 then 'reported_cost_else_priced'
        else 'priced_tokens'
    end as truth_source,
    {{ to_money('coalesce(report_usd, calls_cost_usd)') }} as truth_usd,
    {{ to_money('coalesce(calls_cost_usd, 0)') }} as calls_cost_usd,
    {{ to_money('priced_cost_usd') }} as priced_cost_usd,
    {{ to_money('report_usd') }} as report_usd,
    {{ to_money('coalesce(report_usd, calls_cost_usd) - coalesce(calls_cost_usd, 0)') }} as residual_usd,
    report_lines,
    call_rows
from joined
