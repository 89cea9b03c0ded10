{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_run_window('usage_date') }}",
    on_schema_change='fail'
) }}
{#- Every dollar of effective cost in exactly one cell; per day it sums to the bill plus the LLM invoices. -#}
with final_rows as (
    select
        usage_date, source_id, cost_source, category,
        owner_tenant_id as tenant_id, owner_feature_id as feature_id,
        allocation as cost_type, rule_id, amount_usd
    from {{ ref('int_costs_attributed') }}
    where allocation in ('direct', 'idle', 'unallocated')

    union all

    select
        usage_date, source_id, cost_source, category,
        to_tenant_id, to_feature_id, cost_type, rule_id, amount_usd
    from {{ ref('int_shared_workloads_split') }}

    union all

    select
        usage_date, source_id, cost_source, category,
        to_tenant_id, to_feature_id, cost_type, rule_id, amount_usd
    from {{ ref('int_shared_pools_split') }}

    union all

    select
        usage_date, source_id, cost_source, category,
        to_tenant_id, to_feature_id, cost_type, rule_id, amount_usd
    from {{ ref('int_bedrock_costs_split') }}
)

select
    cast(usage_date as date) as usage_date,
    cast(tenant_id as {{ dbt.type_string() }}) as tenant_id,
    cast(feature_id as {{ dbt.type_string() }}) as feature_id,
    cast(source_id as {{ dbt.type_string() }}) as source_id,
    cast(cost_source as {{ dbt.type_string() }}) as cost_source,
    cast(cost_type as {{ dbt.type_string() }}) as cost_type,
    cast(category as {{ dbt.type_string() }}) as category,
    cast(rule_id as {{ dbt.type_string() }}) as rule_id,
    {{ to_money('sum(amount_usd)') }} as amount_usd
from final_rows
group by 1, 2, 3, 4, 5, 6, 7, 8
