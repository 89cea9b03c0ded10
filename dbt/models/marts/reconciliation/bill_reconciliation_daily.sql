{{ config(**day_partitioned_incremental()) }}
{#- THE comparison of the ledger with the truth (docs/money-and-time.md): per day and source, what the bill says
    (int_truth_costs_summed) next to what the ledger holds; rebuilt for the run's days like the ledger. The dbt
    test assert_ledger_conserves_truth and the Dagster check ledger_conserves_truth read diff_usd from here. A day
    and source with truth but no ledger (or the reverse) is a row too: its diff is the whole amount. -#}
with truth as (
    select * from {{ ref('int_truth_costs_summed') }}
),

ledger as (
    select usage_date, source_id, sum(amount_usd) as ledger_total_usd
    from {{ ref('cost_ledger') }}
    where {{ in_run_window('usage_date') }}
    group by 1, 2
),

joined as (
    {{ side_by_side('truth', 'ledger', ['usage_date', 'source_id'],
                    ['billing_period', 'list_cost_usd', 'billed_cost_usd', 'effective_cost_usd'], ['ledger_total_usd'],
                    zero_fill=['list_cost_usd', 'billed_cost_usd', 'effective_cost_usd']) }}
),

compared as (
    select joined.*, coalesce(ledger_total_usd, 0) - effective_cost_usd as diff_usd
    from joined
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from compared
