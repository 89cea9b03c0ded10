{{ config(**day_partitioned_incremental()) }}
{#- Every moved dollar (int_cost_moves_unioned): where it came from, where it went, the rule that moved it and
    the rule's method. -#}
with moves as (
    select
        usage_date, rule_id, method, from_tenant_id, from_feature_id, to_tenant_id, to_feature_id, cost_source,
        category, sum(amount_usd) as amount_usd
    from {{ ref('int_cost_moves_unioned') }}
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from moves
