{#- Each tenant's month: revenue against the month's allocated cost (docs/marts.md, Margins). A month the ledger has
    not built whole is compared with its MRR prorated to the days built (revenue_usd = mrr × days_in_data ÷
    days_in_month, exact to the nano-dollar), never with a whole month's MRR. Free tenants show their cost as a
    loss. The cost is tenant_daily_cost summed over the month, by category; the sentinels are nobody's margin. -#}
with months as (
    select {{ period_start('month', 'usage_date') }} as usage_month, count(*) as days_in_data
    from ({{ built_days() }}) as built
    group by 1
),

cost as (
    select
        {{ period_start('month', 'usage_date') }} as usage_month,
        tenant_id,
    {%- for c in cost_categories() %}
        sum({{ c }}_cost_usd) as {{ c }}_cost_usd{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref('tenant_daily_cost') }}
    where {{ is_real_owner('tenant_id') }}
    group by 1, 2
),

revenue as (
    select usage_month, tenant_id, sum(mrr_usd) as mrr_usd
    from {{ ref('stg_business__revenue') }}
    group by 1, 2
),

{%- set category_columns = [] %}
{%- for c in cost_categories() %}{% do category_columns.append(c ~ '_cost_usd') %}{% endfor %}

joined as (
    {{ side_by_side('cost', 'revenue', ['usage_month', 'tenant_id'], category_columns, ['mrr_usd'],
                    zero_fill=category_columns + ['mrr_usd']) }}
),

-- only months with a built day: a month of revenue.csv the ledger has not reached has no cost to compare with
prorated as (
    select
        j.*,
        m.days_in_data,
        {{ days_in_month('j.usage_month') }} as days_in_month,
        {{ prorate_money('j.mrr_usd', 'm.days_in_data', days_in_month('j.usage_month')) }} as revenue_usd,
        {{ category_columns | join(' + ') }} as total_cost_usd
    from joined as j
    inner join months as m
        on m.usage_month = j.usage_month
),

margins as (
    select
        p.*,
        t.tenant_name,
        t.plan,
        p.days_in_data = p.days_in_month as is_complete_month,
        p.revenue_usd - p.total_cost_usd as gross_margin_usd,
        case when p.revenue_usd > 0
             then {{ to_float("p.revenue_usd - p.total_cost_usd") }} / {{ to_float("p.revenue_usd") }} end
            as gross_margin_pct
    from prorated as p
    left join {{ ref('dim_tenant') }} as t
        on t.tenant_id = p.tenant_id
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from margins
