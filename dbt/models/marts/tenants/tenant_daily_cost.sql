{#- One row per tenant and day, wide by category and by cost type; sentinels (__idle__, __unallocated__) included
    so the table still sums to the ledger. -#}
select
    usage_date,
    tenant_id,
{%- for c in ['compute', 'storage', 'network', 'database', 'ai_tokens', 'other'] %}
    {{ to_money("sum(case when category = '" ~ c ~ "' then amount_usd else 0 end)") }} as {{ c }}_cost_usd,
{%- endfor %}
{%- for t in ['direct', 'shared', 'idle', 'unallocated'] %}
    {{ to_money("sum(case when cost_type = '" ~ t ~ "' then amount_usd else 0 end)") }} as {{ t }}_cost_usd,
{%- endfor %}
    {{ to_money('sum(amount_usd)') }} as total_cost_usd
from {{ ref('cost_ledger') }}
group by usage_date, tenant_id
