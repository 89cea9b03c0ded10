{#- One row per FOCUS line item, in the columns of stg_cur__line_items so both bills union into one.

    FOCUS already states the costs docs/cloud-bill.md defines: BilledCost is what the invoice says, EffectiveCost the
    amortized cost (0 on a commitment purchase, its share on each covered usage row), ListCost the public price.
    Tags keep the provider's keys. A charge dated outside its billing period (an Oracle adjustment of the previous
    month) keeps its charge period: the daily spread puts it on its own charge date. -#}
with source as (
    select * from {{ source('raw', 'focus_line_items') }}
),

renamed as (
    select
        {{ bill_delivery_columns() | join(', ') }},
        {{ dbt.concat(["source_file", "'#'", "cast(source_row as " ~ dbt.type_string() ~ ")"]) }} as line_item_id,
        sub_account_id,
        charge_category as line_item_type,
        charge_period_start,
        charge_period_end,
        service_name as service_code,
        service_category,
        sku_meter as usage_type,
        {#- AWS's FOCUS export keeps the CUR operation as x_Operation: node matching needs RunInstances -#}
        {{ tag('extra_columns', "'x_Operation'") }} as operation,
        nullif(resource_id, '') as resource_id,
        coalesce(region_id, '') as region,
        charge_description,
        consumed_quantity as usage_quantity,
        consumed_unit as usage_unit,
        billing_currency,
        coalesce(tags, '{}') as tags,
        false as is_split_line_item,
        cast(null as {{ dbt.type_string() }}) as split_line_item_parent_resource_id,
        {{ to_money('null') }} as split_line_item_split_cost,
        {{ to_money('null') }} as split_line_item_unused_cost,
        coalesce(billed_cost, 0) as billed_cost,
        coalesce(list_cost, 0) as list_cost,
        coalesce(effective_cost, 0) as effective_cost,
        {#- The explained part of billed − effective, as for CUR: a one-time commitment purchase is billed at once
            (effective 0); recurring commitment purchases and the usage they cover trade billed for effective cost
            month by month (their difference is the true-up). -#}
        case
            when charge_category = 'Purchase' and charge_frequency = 'One-Time'
                then coalesce(billed_cost, 0) - coalesce(effective_cost, 0)
            else {{ to_money('0') }}
        end as upfront_fee,
        case
            when charge_category = 'Purchase' and coalesce(charge_frequency, '') <> 'One-Time'
                then coalesce(billed_cost, 0) - coalesce(effective_cost, 0)
            when charge_category = 'Usage' and commitment_discount_id is not null
                then coalesce(billed_cost, 0) - coalesce(effective_cost, 0)
            else {{ to_money('0') }}
        end as commitment_true_up
    from source
)

select * from renamed
