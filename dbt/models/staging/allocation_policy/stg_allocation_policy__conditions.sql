with source as (
    select * from {{ source('raw', 'allocation_policy_conditions') }}
)

select
    rule_order,
    match_key,
    label_key,
    pattern,
    {#- the keys of one match combine with AND, each label key on its own; the values of one key with OR -#}
    case when match_key = 'label' then {{ dbt.concat(["'label.'", 'label_key']) }} else match_key end
        as condition_key
from source
