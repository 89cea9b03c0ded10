{#- Per billing period, bill source and billing account: Σ billed − Σ effective, explained by upfront commitment
    fees and commitment true-ups; what remains is unexplained (0 for a CUR whose every row follows DESIGN.md §1).
    Split cost allocation rows are excluded: they re-express their parent instance's cost. -#}
with items as (
    select
        billing_period,
        source_id,
        billing_account_id,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(upfront_fee) as upfront_fees,
        sum(commitment_true_up) as commitment_true_up
    from {{ ref('int_bill_line_items_unioned') }}
    where not is_split_line_item
    group by 1, 2, 3
)

select
    cast(billing_period as {{ dbt.type_string() }}) as billing_period,
    cast(source_id as {{ dbt.type_string() }}) as source_id,
    cast(billing_account_id as {{ dbt.type_string() }}) as billing_account_id,
    {{ to_money('billed_cost') }} as billed_cost_usd,
    {{ to_money('effective_cost') }} as effective_cost_usd,
    {{ to_money('upfront_fees') }} as upfront_fees_usd,
    {{ to_money('commitment_true_up') }} as commitment_true_up_usd,
    {{ to_money('billed_cost - effective_cost - upfront_fees - commitment_true_up') }} as unexplained_usd
from items
