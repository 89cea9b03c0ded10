{{ config(severity='error', meta={'dagster': {'ref': {'name': 'cost_ledger'}}}) }}
{#- Conservation (DESIGN.md §3.7, blocking): for every day and source of the run, Σ ledger = the truth. -#}
with truth as (
    select usage_date, source_id, sum(truth_usd) as truth_usd
    from {{ ref('int_truth_costs_summed') }}
    group by 1, 2
),

ledger as (
    select usage_date, source_id, sum(amount_usd) as ledger_usd
    from {{ ref('cost_ledger') }}
    where {{ in_run_window('usage_date') }}
    group by 1, 2
)

select
    coalesce(t.usage_date, l.usage_date) as usage_date,
    coalesce(t.source_id, l.source_id) as source_id,
    t.truth_usd,
    l.ledger_usd
from truth as t
full outer join ledger as l
    on l.usage_date = t.usage_date and l.source_id = t.source_id
where abs(coalesce(t.truth_usd, 0) - coalesce(l.ledger_usd, 0)) >= 0.000001
