{#- Monthly revenue against the month's allocated cost, per tenant. Free tenants show their cost as a loss. -#}
with cost as (
    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        tenant_id,
        sum(amount_usd) as total_cost_usd
    from {{ ref('cost_ledger') }}
    where tenant_id not in ('__idle__', '__unallocated__')
    group by 1, 2
),

revenue as (
    select usage_month, tenant_id, sum(mrr_usd) as mrr_usd
    from {{ ref('stg_business__revenue') }}
    group by 1, 2
),

joined as (
    {{ side_by_side('cost', 'revenue', ['usage_month', 'tenant_id'], ['total_cost_usd'], ['mrr_usd'],
                    zero_fill=['total_cost_usd', 'mrr_usd']) }}
)

select
    j.usage_month,
    j.tenant_id,
    t.tenant_name,
    t.plan,
    {{ to_money('j.mrr_usd') }} as mrr_usd,
    {{ to_money('j.total_cost_usd') }} as total_cost_usd,
    {{ to_money('j.mrr_usd - j.total_cost_usd') }} as gross_margin_usd,
    case when j.mrr_usd > 0 then cast(j.mrr_usd - j.total_cost_usd as double) / cast(j.mrr_usd as double) end
        as gross_margin_pct
from joined as j
left join {{ ref('dim_tenant') }} as t
    on t.tenant_id = j.tenant_id
