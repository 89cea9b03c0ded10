{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_run_window('usage_date') }}",
    on_schema_change='fail'
) }}
{#- Every moved dollar: where it came from, where it went, and the rule that moved it. -#}
with moves as (
    select * from {{ ref('int_shared_workloads_split') }}
    union all
    select * from {{ ref('int_shared_pools_split') }}
    union all
    select * from {{ ref('int_bedrock_costs_split') }}
)

select
    cast(usage_date as date) as usage_date,
    cast(rule_id as {{ dbt.type_string() }}) as rule_id,
    cast(from_tenant_id as {{ dbt.type_string() }}) as from_tenant_id,
    cast(from_feature_id as {{ dbt.type_string() }}) as from_feature_id,
    cast(to_tenant_id as {{ dbt.type_string() }}) as to_tenant_id,
    cast(to_feature_id as {{ dbt.type_string() }}) as to_feature_id,
    cast(cost_source as {{ dbt.type_string() }}) as cost_source,
    cast(category as {{ dbt.type_string() }}) as category,
    {{ to_money('sum(amount_usd)') }} as amount_usd
from moves
group by 1, 2, 3, 4, 5, 6, 7, 8
