{{ config(**day_partitioned_incremental()) }}
{#- One row per tenant and day, wide by category and by cost type; sentinels (__idle__, __unallocated__) included
    so the table still sums to the ledger. -#}
with daily as (
    select
        usage_date,
        tenant_id,
    {%- for c in cost_categories() %}
        sum(case when category = '{{ c }}' then amount_usd else 0 end) as {{ c }}_cost_usd,
    {%- endfor %}
    {%- for t in cost_types() %}
        sum(case when cost_type = '{{ t }}' then amount_usd else 0 end) as {{ t }}_cost_usd,
    {%- endfor %}
        sum(amount_usd) as total_cost_usd
    from {{ ref('cost_ledger') }} where {{ in_run_window('usage_date') }}
    group by usage_date, tenant_id
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from daily
