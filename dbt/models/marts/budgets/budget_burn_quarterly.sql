{#- Will a feature blow its budget this quarter (docs/marts.md, Budgets)? budgets.csv's monthly rows summed to
    quarters, against the feature's ledger cost in the scope the budget caps (ai: its ai_tokens cost; total: all of
    it). The run rate is the mean daily spend of the built days among the seven ending on the quarter's last built
    day (as_of_date); every day of the quarter not built yet, before or after it, is projected at that rate, never
    read as $0. Status compares the projection with the budget exactly in DECIMAL. -#}
{%- set run_rate_days = 7 %}
{%- set at_risk_share = decimal_cast(sql_string(var('budget_at_risk_share')), 'decimal(18, 9)') %}
with built_days as (
    {{ built_days() }}
),

budgets as (
    select
        {{ period_start('quarter', 'usage_month') }} as usage_quarter,
        feature_id,
        scope,
        sum(budget_usd) as budget_usd,
        count(*) as budget_months
    from {{ ref('stg_business__budgets') }}
    group by 1, 2, 3
),

quarters as (
    select
        usage_quarter,
        days_built,
        as_of_date,
        cast({{ dbt.dateadd('day', -(run_rate_days - 1), 'as_of_date') }} as date) as run_rate_start,
        {{ dbt.datediff('usage_quarter', dbt.dateadd('month', 3, 'usage_quarter'), 'day') }} as days_in_quarter
    from (
        select {{ period_start('quarter', 'usage_date') }} as usage_quarter, count(*) as days_built,
               max(usage_date) as as_of_date
        from built_days
        group by 1
    ) as built
),

run_rate_windows as (
    select q.usage_quarter, count(*) as run_rate_days
    from quarters as q
    inner join built_days as d
        on d.usage_date between q.run_rate_start and q.as_of_date
    group by 1
),

-- each feature's daily spend in each scope a budget can cap
daily as (
    select
        usage_date,
        feature_id,
        sum(case when category = 'ai_tokens' then amount_usd else 0 end) as ai_usd,
        sum(amount_usd) as total_usd
    from {{ ref('cost_ledger') }}
    group by 1, 2
),

scoped as (
    select usage_date, feature_id, 'ai' as scope, ai_usd as spend_usd from daily
    union all
    select usage_date, feature_id, 'total' as scope, total_usd as spend_usd from daily
),

-- per budget: its quarter's spend to date and the spend of the run-rate days (which may reach into the quarter before)
spend as (
    select
        b.usage_quarter,
        b.feature_id,
        b.scope,
        coalesce(sum(case when s.usage_date >= b.usage_quarter then s.spend_usd end), 0) as spend_to_date_usd,
        coalesce(sum(case when s.usage_date >= q.run_rate_start then s.spend_usd end), 0) as run_rate_spend_usd
    from budgets as b
    inner join quarters as q
        on q.usage_quarter = b.usage_quarter
    left join scoped as s
        on s.feature_id = b.feature_id and s.scope = b.scope
        and s.usage_date between least(b.usage_quarter, q.run_rate_start) and q.as_of_date
    group by 1, 2, 3
),

projected as (
    select
        b.*,
        q.as_of_date,
        q.days_in_quarter,
        q.days_built,
        s.spend_to_date_usd,
        w.run_rate_days,
        {{ prorate_money('s.run_rate_spend_usd', '1', 'w.run_rate_days') }} as run_rate_usd,
        s.spend_to_date_usd
            + {{ prorate_money('s.run_rate_spend_usd', 'q.days_in_quarter - q.days_built', 'w.run_rate_days') }}
            as projected_spend_usd
    from budgets as b
    inner join quarters as q
        on q.usage_quarter = b.usage_quarter
    inner join run_rate_windows as w
        on w.usage_quarter = b.usage_quarter
    inner join spend as s
        on s.usage_quarter = b.usage_quarter and s.feature_id = b.feature_id and s.scope = b.scope
),

burn as (
    select
        projected.*,
        case when budget_usd > 0 then {{ to_float("spend_to_date_usd") }} / {{ to_float("budget_usd") }} end
            as spend_pct_of_budget,
        case when budget_usd > 0 then {{ to_float("projected_spend_usd") }} / {{ to_float("budget_usd") }} end
            as projected_pct_of_budget,
        case
            when projected_spend_usd > budget_usd then 'over'
            when projected_spend_usd > {{ at_risk_share }} * budget_usd then 'at_risk'
            else 'on_track'
        end as status
    from projected
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from burn
