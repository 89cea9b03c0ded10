{{ config(materialized='table') }}
{#-
  The LLM truth of each (provider, day) (int_llm_truths_selected) in ledger pieces, so LLM cost in the ledger equals
  the invoice:
    * component call_cost: each call's own cost (reported cost_usd, else list-priced), to its owner;
    * component invoice_residual: truth − Σ calls' own cost, split over that provider-day's calls in proportion
      to their own cost (exact_split: the pieces sum to the residual exactly), booked as rule llm_invoice_residual;
      a provider-day with a residual but no call of positive cost sends it whole to __unallocated__.
  With no cost report and no cost_usd the residual is 0 and only call_cost rows exist.
-#}
with calls as (
    select * from {{ ref('int_llm_calls_invoiced') }}
),

truth as (
    select * from {{ ref('int_llm_truths_selected') }}
),

recipients as (
    select
        c.usage_date,
        c.invoicing_provider,
        c.event_id,
        c.tenant_id,
        c.feature_id,
        t.residual_usd,
        case when c.call_cost_usd > 0 then c.call_cost_usd else {{ to_money('0') }} end as weight
    from calls as c
    inner join truth as t
        on t.usage_date = c.usage_date and t.invoicing_provider = c.invoicing_provider
    where t.residual_usd <> 0
),

weighted_days as (
    select usage_date, invoicing_provider
    from recipients
    group by 1, 2
    having sum(weight) > 0
),

weighted as (
    select r.*
    from recipients as r
    inner join weighted_days as w
        on w.usage_date = r.usage_date and w.invoicing_provider = r.invoicing_provider
),

split as (
    {{ exact_split('weighted', 'residual_usd', 'weight', ['usage_date', 'invoicing_provider'], ['r.event_id']) }}
)

select
    usage_date, invoicing_provider, 'llm:' || invoicing_provider as source_id, event_id, tenant_id, feature_id,
    'call_cost' as component, call_cost_usd as amount_usd
from calls

union all

select
    usage_date, invoicing_provider, 'llm:' || invoicing_provider as source_id, event_id, tenant_id, feature_id,
    'invoice_residual' as component, allocated_usd as amount_usd
from split
where allocated_usd <> 0

union all

select
    t.usage_date, t.invoicing_provider, t.source_id, cast(null as {{ dbt.type_string() }}) as event_id,
    cast(null as {{ dbt.type_string() }}) as tenant_id, cast(null as {{ dbt.type_string() }}) as feature_id,
    'invoice_residual' as component, t.residual_usd as amount_usd
from truth as t
where t.residual_usd <> 0
  and not exists (
      select 1 from weighted_days as w
      where w.usage_date = t.usage_date and w.invoicing_provider = t.invoicing_provider
  )
