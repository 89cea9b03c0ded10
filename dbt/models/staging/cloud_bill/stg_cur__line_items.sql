{#- One row per CUR line item with FOCUS-named costs (docs/cloud-bill.md). Split cost allocation rows (EKSPod-EC2,
    ECSTask-EC2) stay here, flagged, so they can serve as an allocation key; no cost sum may include them. -#}
with source as (
    select * from {{ source('raw', 'cur_line_items') }}
),

renamed as (
    select
        {{ bill_delivery_columns() | join(', ') }},
        identity_line_item_id as line_item_id,
        line_item_usage_account_id as sub_account_id,
        line_item_line_item_type as line_item_type,
        line_item_usage_start_date as charge_period_start,
        line_item_usage_end_date as charge_period_end,
        line_item_product_code as service_code,
        {#- a CUR names no service category: seeds/cost_categories.csv classifies CUR rows by product code, usage
            type and operation -#}
        cast(null as {{ dbt.type_string() }}) as service_category,
        line_item_usage_type as usage_type,
        line_item_operation as operation,
        nullif(line_item_resource_id, '') as resource_id,
        coalesce(product_region_code, '') as region,
        line_item_line_item_description as charge_description,
        line_item_usage_amount as usage_quantity,
        pricing_unit as usage_unit,
        line_item_currency_code as billing_currency,
        resource_tags as tags,
        coalesce(line_item_operation, '') in ('EKSPod-EC2', 'ECSTask-EC2') as is_split_line_item,
        split_line_item_parent_resource_id,
        split_line_item_split_cost,
        split_line_item_unused_cost,
        coalesce(line_item_unblended_cost, 0) as billed_cost,
        case when line_item_line_item_type = 'SavingsPlanNegation' then {{ to_money('0') }}
             else coalesce(pricing_public_on_demand_cost, 0) end as list_cost,
        {#- AWS Cloud Intelligence Dashboards' amortization, branch for branch -#}
        case
            when line_item_line_item_type = 'SavingsPlanCoveredUsage'
                then coalesce(savings_plan_savings_plan_effective_cost, 0)
            when line_item_line_item_type = 'SavingsPlanRecurringFee'
                then coalesce(savings_plan_total_commitment_to_date, 0) - coalesce(savings_plan_used_commitment, 0)
            when line_item_line_item_type in ('SavingsPlanNegation', 'SavingsPlanUpfrontFee')
                then {{ to_money('0') }}
            when line_item_line_item_type = 'DiscountedUsage'
                then coalesce(reservation_effective_cost, 0)
            when line_item_line_item_type = 'RIFee'
                then coalesce(reservation_unused_amortized_upfront_fee_for_billing_period, 0)
                    + coalesce(reservation_unused_recurring_fee, 0)
            {#- an RI's upfront fee is amortized into DiscountedUsage/RIFee above -#}
            when line_item_line_item_type = 'Fee' and coalesce(reservation_reservation_a_r_n, '') <> ''
                then {{ to_money('0') }}
            {#- a Savings Plan's upfront fee refunded on purchase: amortized elsewhere, not a cost -#}
            when line_item_line_item_type = 'Refund'
                 and line_item_product_code = 'ComputeSavingsPlans'
                 and line_item_line_item_description like 'Refund for one-time fee for Savings Plan ID%'
                then {{ to_money('0') }}
            else coalesce(line_item_unblended_cost, 0)
        end as effective_cost,
        {#- The explained part of billed − effective (CID summary_view's ri_sp_upfront_fees and ri_sp_trueup):
            upfront commitment fees are billed at once and amortized into effective cost over the term; the
            true-up removes each month's amortized upfront share again from the recurring-fee rows. -#}
        case
            when line_item_line_item_type = 'SavingsPlanUpfrontFee'
                then coalesce(line_item_unblended_cost, 0)
            when line_item_line_item_type = 'Fee' and coalesce(reservation_reservation_a_r_n, '') <> ''
                then coalesce(line_item_unblended_cost, 0)
            {#- the refund of a Savings Plan's upfront fee is that fee given back: zero effective cost above -#}
            when line_item_line_item_type = 'Refund'
                 and line_item_product_code = 'ComputeSavingsPlans'
                 and line_item_line_item_description like 'Refund for one-time fee for Savings Plan ID%'
                then coalesce(line_item_unblended_cost, 0)
            else {{ to_money('0') }}
        end as upfront_fee,
        case
            when line_item_line_item_type = 'SavingsPlanRecurringFee'
                then -coalesce(savings_plan_amortized_upfront_commitment_for_billing_period, 0)
            when line_item_line_item_type = 'RIFee'
                then -coalesce(reservation_amortized_upfront_fee_for_billing_period, 0)
            else {{ to_money('0') }}
        end as commitment_true_up
    from source
)

select * from renamed
