{#- What a tenant of each plan costs in a month (docs/marts.md, Unit costs), the base of `unitcost whatif`: the
    plan's active tenants (those with cost in the month), their mean and median cost, cost per request, LLM cost per
    tenant and mean MRR, from tenant_gross_margin_monthly and the request counts. monthly_cost_per_tenant_usd scales
    the mean to the whole month (× days_in_month ÷ days_in_data), so a partial month still projects a month. Every
    per-tenant amount is an exact quotient of the plan's sums, rounded once to the nano-dollar. -#}
with active as (
    select
        usage_month, tenant_id, coalesce(plan, '__unknown__') as plan, days_in_month, days_in_data,
        mrr_usd, ai_tokens_cost_usd, total_cost_usd
    from {{ ref('tenant_gross_margin_monthly') }}
    where total_cost_usd > 0
),

requests as (
    select {{ period_start('month', 'usage_date') }} as usage_month, tenant_id, sum(requests) as requests
    from {{ ref('stg_requests__counts') }}
    group by 1, 2
),

ranked as (
    select
        a.*,
        coalesce(r.requests, 0) as requests,
        row_number() over (partition by a.usage_month, a.plan order by a.total_cost_usd, a.tenant_id) as cost_rank,
        count(*) over (partition by a.usage_month, a.plan) as plan_tenants
    from active as a
    left join requests as r
        on r.usage_month = a.usage_month and r.tenant_id = a.tenant_id
),

{%- set middle = 'cost_rank in (' ~ int_div_trunc('plan_tenants + 1', '2') ~ ', '
                 ~ int_div_trunc('plan_tenants', '2') ~ ' + 1)' %}
plans as (
    select
        usage_month,
        plan,
        max(days_in_month) as days_in_month,
        max(days_in_data) as days_in_data,
        count(*) as active_tenants,
        sum(total_cost_usd) as total_cost_usd,
        sum(ai_tokens_cost_usd) as llm_cost_usd,
        sum(mrr_usd) as mrr_usd,
        sum(requests) as requests,
        -- the median: the middle tenant by cost, or the mean of the middle two
        sum(case when {{ middle }} then total_cost_usd else 0 end) as middle_cost_usd,
        sum(case when {{ middle }} then 1 else 0 end) as middle_tenants
    from ranked
    group by 1, 2
),

unit_costs as (
    select
        plans.*,
        days_in_data = days_in_month as is_complete_month,
        {{ prorate_money('total_cost_usd', '1', 'active_tenants') }} as mean_cost_per_tenant_usd,
        {{ prorate_money('middle_cost_usd', '1', 'middle_tenants') }} as median_cost_per_tenant_usd,
        {{ prorate_money('total_cost_usd', 'days_in_month', 'active_tenants * days_in_data') }}
            as monthly_cost_per_tenant_usd,
        case when requests > 0 then {{ to_money(to_float("total_cost_usd") ~ ' / requests') }} end
            as cost_per_request_usd,
        {{ prorate_money('llm_cost_usd', '1', 'active_tenants') }} as llm_cost_per_tenant_usd,
        {{ prorate_money('mrr_usd', '1', 'active_tenants') }} as mean_mrr_per_tenant_usd
    from plans
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from unit_costs
