with source as (
    select * from {{ source('raw', 'allocation_policy_shares') }}
)

select rule_order, rule_id, tenant_id, {{ raw_decimal('share', 18) }} as share from source
