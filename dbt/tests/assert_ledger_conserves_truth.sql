{{ config(severity='error', meta={'dagster': {'ref': {'name': 'cost_ledger'}}}) }}
{#- Conservation (docs/allocation.md, blocking): for every day and source of the run, Σ ledger = the truth. The
    comparison is bill_reconciliation_daily's diff_usd; the tolerance is the project var (the Dagster check
    ledger_conserves_truth reads the same var and the same rows). It is the ledger's test: Dagster shows it as a
    check of marts/cost_ledger, which needs the ledger among its parents. -#}
-- depends_on: {{ ref('cost_ledger') }}
select usage_date, source_id, effective_cost_usd, ledger_total_usd, diff_usd
from {{ ref('bill_reconciliation_daily') }}
where {{ in_run_window('usage_date') }}
  and abs(diff_usd) >= {{ to_money(sql_string(var('conservation_tolerance_usd'))) }}
