{#- Every cloud bill line item, CUR and FOCUS alike, in stg_cur__line_items' columns: what the daily spread, the
    line classes and the period reconciliation read. -#}
{%- set columns = bill_delivery_columns() + [
    'line_item_id', 'sub_account_id', 'line_item_type', 'charge_period_start', 'charge_period_end', 'service_code',
    'service_category', 'usage_type', 'operation', 'resource_id', 'region', 'charge_description', 'usage_quantity',
    'usage_unit', 'billing_currency',
    'tags', 'is_split_line_item', 'split_line_item_parent_resource_id', 'split_line_item_split_cost',
    'split_line_item_unused_cost', 'billed_cost', 'list_cost', 'effective_cost', 'upfront_fee', 'commitment_true_up'
] -%}

select {{ columns | join(', ') }} from {{ ref('stg_cur__line_items') }}
union all
select {{ columns | join(', ') }} from {{ ref('stg_focus__line_items') }}
