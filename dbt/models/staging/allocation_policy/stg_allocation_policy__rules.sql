with source as (
    select * from {{ source('raw', 'allocation_policy_rules') }}
)

select rule_order, rule_id, method, scope from source
