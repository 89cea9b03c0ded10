{#- Why each tenant's gross margin moved from one month to the next, in steps that sum exactly to the change:
    previous margin + revenue step + one step per cost category (ai_tokens as the LLM step) = this month's margin.
    A cost step is minus the cost's change (a cost that rose is a negative step). Both months as
    tenant_gross_margin_monthly has them (a partial month against its prorated MRR: days_in_data says how much of
    each month is built). A month whose previous month has no built day has no rows: there is nothing to compare. -#}
{%- set categories = cost_categories() %}
with margins as (
    select * from {{ ref('tenant_gross_margin_monthly') }}
),

months as (
    select distinct usage_month, days_in_data from margins
),

pairs as (
    select
        cur.usage_month,
        prev.usage_month as previous_month,
        cur.days_in_data,
        prev.days_in_data as previous_days_in_data
    from months as cur
    inner join months as prev
        on prev.usage_month = cast({{ dbt.dateadd('month', -1, 'cur.usage_month') }} as date)
),

-- every tenant with a row in either month: one that churned still shows the margin it took away
tenant_months as (
    select distinct usage_month, tenant_id
    from (
        select p.usage_month, m.tenant_id
        from pairs as p inner join margins as m on m.usage_month = p.usage_month
        union all
        select p.usage_month, m.tenant_id
        from pairs as p inner join margins as m on m.usage_month = p.previous_month
    ) as both_months
),

steps as (
    select
        t.usage_month,
        t.tenant_id,
        coalesce(cur.plan, prev.plan) as plan,
        p.previous_month,
        p.days_in_data,
        p.previous_days_in_data,
        coalesce(prev.gross_margin_usd, 0) as previous_gross_margin_usd,
        coalesce(cur.revenue_usd, 0) - coalesce(prev.revenue_usd, 0) as revenue_step_usd,
    {%- for c in categories %}
        coalesce(prev.{{ c }}_cost_usd, 0) - coalesce(cur.{{ c }}_cost_usd, 0)
            as {{ 'llm' if c == 'ai_tokens' else c }}_cost_step_usd,
    {%- endfor %}
        coalesce(cur.gross_margin_usd, 0) as gross_margin_usd,
        coalesce(cur.gross_margin_usd, 0) - coalesce(prev.gross_margin_usd, 0) as gross_margin_change_usd
    from tenant_months as t
    inner join pairs as p
        on p.usage_month = t.usage_month
    left join margins as cur
        on cur.usage_month = t.usage_month and cur.tenant_id = t.tenant_id
    left join margins as prev
        on prev.usage_month = p.previous_month and prev.tenant_id = t.tenant_id
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from steps
