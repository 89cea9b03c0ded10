{#- The daily truth (docs/allocation.md): per UTC day of the run and source, what the bill says and what the ledger
    must hold (effective_cost_usd). Every number bill_reconciliation_daily and the conservation checks compare is
    defined here, once.
    * A cloud bill (source = its name in unitcost.yaml): Σ of its rows' shares of the day (int_bill_costs_spread),
      list, billed and effective cost; billing_period is the earliest period whose rows touch the day.
    * An LLM provider that invoices outside the cloud bills (source llm:<provider>): the provider-day's one truth
      (int_llm_truths_selected: cost report, else reported cost, else priced tokens) is its billed and effective
      cost, its calls priced from the price table its list cost; billing_period is the day's month. -#}
{%- set month_of_day = dbt.concat([
    "cast(extract(year from usage_date) as " ~ dbt.type_string() ~ ")", "'-'",
    "lpad(cast(extract(month from usage_date) as " ~ dbt.type_string() ~ "), 2, '0')"]) %}

with bill as (
    select
        usage_date,
        source_id,
        min(billing_period) as billing_period,
        sum(list_cost) as list_cost_usd,
        sum(billed_cost) as billed_cost_usd,
        sum(effective_cost) as effective_cost_usd
    from {{ ref('int_bill_costs_spread') }}
    where {{ in_run_window('usage_date') }}
    group by 1, 2
),

llm as (
    select
        usage_date,
        source_id,
        {{ month_of_day }} as billing_period,
        coalesce(priced_cost_usd, 0) as list_cost_usd,
        truth_usd as billed_cost_usd,
        truth_usd as effective_cost_usd
    from {{ ref('int_llm_truths_selected') }}
    where {{ in_run_window('usage_date') }}
)

select * from bill
union all
select * from llm
