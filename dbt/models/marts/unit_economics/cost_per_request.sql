{{ config(**day_partitioned_incremental()) }}
{#- What one request costs, per tenant, feature and day: all of the tenant-feature's cost over its requests. -#}
with cost as (
    select usage_date, tenant_id, feature_id, sum(amount_usd) as total_cost_usd
    from {{ ref('cost_ledger') }}
    where {{ is_real_owner('tenant_id') }} and {{ in_run_window('usage_date') }}
    group by 1, 2, 3
),

requests as (
    select usage_date, tenant_id, feature_id, sum(requests) as requests
    from {{ ref('stg_requests__counts') }} where {{ in_run_window('usage_date') }}
    group by 1, 2, 3
),

joined as (
    {{ side_by_side('cost', 'requests', ['usage_date', 'tenant_id', 'feature_id'], ['total_cost_usd'], ['requests'],
                    zero_fill=['total_cost_usd', 'requests']) }}
),

per_request as (
    select
        joined.*,
        case when requests > 0 then {{ to_money(to_float("total_cost_usd") ~ ' / requests') }} end
            as cost_per_request_usd
    from joined
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from per_request
