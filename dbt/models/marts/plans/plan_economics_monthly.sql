{#- Each plan's month (docs/marts.md, Margins): its tenants, revenue, cost and margin from
    tenant_gross_margin_monthly, and the subsidy view. The plans with a negative margin lose L in total, the others
    earn P; min(L, P) of the losses is paid for by the profitable plans. Each loss-making plan receives its share
    of min(L, P) by its loss, each profitable plan pays its share by its margin; both splits are exact
    (exact_split), so Σ received = Σ paid = min(L, P). A tenant without a plan in tenants.csv counts as
    __unknown__. -#}
with margins as (
    select * from {{ ref('tenant_gross_margin_monthly') }}
),

plans as (
    select
        usage_month,
        coalesce(plan, '__unknown__') as plan,
        max(days_in_month) as days_in_month,
        max(days_in_data) as days_in_data,
        count(*) as tenants,
        sum(case when revenue_usd > 0 then 1 else 0 end) as paying_tenants,
        sum(case when gross_margin_usd < 0 then 1 else 0 end) as loss_making_tenants,
        sum(mrr_usd) as mrr_usd,
        sum(revenue_usd) as revenue_usd,
        sum(ai_tokens_cost_usd) as llm_cost_usd,
        sum(total_cost_usd) as total_cost_usd,
        sum(gross_margin_usd) as gross_margin_usd
    from margins
    group by 1, 2
),

balance as (
    select
        usage_month,
        sum(case when gross_margin_usd < 0 then -gross_margin_usd else 0 end) as losses_usd,
        sum(case when gross_margin_usd > 0 then gross_margin_usd else 0 end) as profits_usd
    from plans
    group by 1
),

sides as (
    select
        p.usage_month,
        p.plan,
        case when p.gross_margin_usd < 0 then 'subsidised' else 'subsidising' end as plan_role,
        abs(p.gross_margin_usd) as weight,
        least(b.losses_usd, b.profits_usd) as covered_usd
    from plans as p
    inner join balance as b
        on b.usage_month = p.usage_month
    where p.gross_margin_usd <> 0
),

split as (
    {{ exact_split('sides', 'covered_usd', 'weight', ['usage_month', 'plan_role'], ['r.plan']) }}
),

economics as (
    select
        p.*,
        p.days_in_data = p.days_in_month as is_complete_month,
        case when p.revenue_usd > 0
             then {{ to_float("p.gross_margin_usd") }} / {{ to_float("p.revenue_usd") }} end as gross_margin_pct,
        coalesce(s.plan_role, 'break_even') as plan_role,
        case when s.plan_role = 'subsidised' then s.allocated_usd else 0 end as subsidy_received_usd,
        case when s.plan_role = 'subsidising' then s.allocated_usd else 0 end as subsidy_paid_usd,
        case when b.losses_usd > 0
             then {{ to_float("least(b.losses_usd, b.profits_usd)") }} / {{ to_float("b.losses_usd") }} end
            as losses_covered_pct
    from plans as p
    inner join balance as b
        on b.usage_month = p.usage_month
    left join split as s
        on s.usage_month = p.usage_month and s.plan = p.plan
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from economics
