{#- Per billing period, bill source and billing account: Σ billed − Σ effective, explained by upfront commitment
    fees and commitment true-ups; what remains is unexplained (0 for a CUR whose every row follows docs/cloud-bill.md).
    Split cost allocation rows are excluded: they re-express their parent instance's cost. A run rebuilds the periods
    of its window's days (macro billing_period_incremental), so a daily run reads one month of the bill, not all. -#}
{{ config(**billing_period_incremental()) }}

with items as (
    select
        billing_period,
        source_id,
        billing_account_id,
        sum(billed_cost) as billed_cost_usd,
        sum(effective_cost) as effective_cost_usd,
        sum(upfront_fee) as upfront_fees_usd,
        sum(commitment_true_up) as commitment_true_up_usd
    from {{ ref('int_bill_line_items_unioned') }}
    where not is_split_line_item and {{ in_run_periods('billing_period') }}
    group by 1, 2, 3
),

explained as (
    select
        items.*,
        billed_cost_usd - effective_cost_usd - upfront_fees_usd - commitment_true_up_usd as unexplained_usd
    from items
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from explained
