{#- What one request costs, per tenant, feature and day: all of the tenant-feature's cost over its requests. -#}
with cost as (
    select usage_date, tenant_id, feature_id, sum(amount_usd) as total_cost_usd
    from {{ ref('cost_ledger') }}
    where tenant_id not in ('__idle__', '__unallocated__')
    group by 1, 2, 3
),

requests as (
    select usage_date, tenant_id, feature_id, sum(requests) as requests
    from {{ ref('stg_requests__counts') }}
    group by 1, 2, 3
)

select
    coalesce(c.usage_date, r.usage_date) as usage_date,
    coalesce(c.tenant_id, r.tenant_id) as tenant_id,
    coalesce(c.feature_id, r.feature_id) as feature_id,
    coalesce(r.requests, 0) as requests,
    {{ to_money('coalesce(c.total_cost_usd, 0)') }} as total_cost_usd,
    case when r.requests > 0
         then {{ to_money('cast(coalesce(c.total_cost_usd, 0) as double) / r.requests') }} end as cost_per_request_usd
from cost as c
full outer join requests as r
    on r.usage_date = c.usage_date and r.tenant_id = c.tenant_id and r.feature_id = c.feature_id
