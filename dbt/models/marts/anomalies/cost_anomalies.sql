{{ config(**day_partitioned_incremental(days_after=7)) }}
{#- The days a tenant, a feature or an LLM model cost much more than its trailing week (docs/marts.md, Anomalies).
    Day D of a scope is compared with the mean of D-7 .. D-1, a day without cost counting as $0, and only when all
    seven days are built: a partial backfill never reads an unbuilt day as $0. The thresholds are compared exactly
    in DECIMAL: cost > r × (Σ7 / 7) is 7 × cost > r × Σ7, no division and no rounded ratio. A run rebuilds its days
    and the seven after them (whose trailing week it changed), reading the seven before. -#}
{%- set window_days = 7 %}
{%- set alert_ratio = decimal_cast(sql_string(var('anomaly_alert_ratio')), 'decimal(18, 9)') %}
{%- set kill_switch_ratio = decimal_cast(sql_string(var('anomaly_kill_switch_ratio')), 'decimal(18, 9)') %}
{%- set min_daily_usd = to_money(sql_string(var('anomaly_min_daily_usd'))) %}
{#- the first build compares every built day; later runs their window's days and the seven after -#}
{%- set incremental = is_incremental() %}
{%- set compared = in_run_window('d.usage_date', days_after=window_days) if incremental else 'true' %}
{%- set read = in_run_window('usage_date', window_days, window_days) if incremental else 'true' %}
with built_days as (
    {{ built_days() }}
),

-- the days this run (re)builds, each with how many of its seven days before are built
compared_days as (
    select d.usage_date, count(b.usage_date) as built_days_before
    from built_days as d
    left join built_days as b
        on b.usage_date between {{ dbt.dateadd('day', -window_days, 'd.usage_date') }}
                            and {{ dbt.dateadd('day', -1, 'd.usage_date') }}
    where {{ compared }}
    group by 1
),

-- each scope's cost per day: the ledger's per tenant and per feature, the LLM mart's per model
scope_costs as (
    select usage_date, 'tenant' as scope_type, tenant_id as scope_id, total_cost_usd as cost_usd
    from {{ ref('tenant_daily_cost') }}
    where {{ is_real_owner('tenant_id') }} and {{ read }}

    union all

    select usage_date, 'feature', feature_id, total_cost_usd
    from {{ ref('feature_daily_cost') }}
    where {{ is_real_owner('feature_id') }} and {{ read }}

    union all

    select usage_date, 'model', model, sum(cost_usd)
    from {{ ref('llm_token_economics_daily') }}
    where model <> '__unallocated__' and {{ read }}
    group by 1, 2, 3
),

trailing_weeks as (
    select
        t.usage_date, t.scope_type, t.scope_id, t.cost_usd,
        coalesce(sum(p.cost_usd), 0) as trailing_sum_usd
    from scope_costs as t
    inner join compared_days as d
        on d.usage_date = t.usage_date and d.built_days_before = {{ window_days }}
    left join scope_costs as p
        on p.scope_type = t.scope_type and p.scope_id = t.scope_id
        and p.usage_date between {{ dbt.dateadd('day', -window_days, 't.usage_date') }}
                             and {{ dbt.dateadd('day', -1, 't.usage_date') }}
    group by 1, 2, 3, 4
),

classified as (
    select
        trailing_weeks.*,
        case
            when cost_usd < {{ min_daily_usd }} or cost_usd <= 0 then null
            when trailing_sum_usd <= 0 then 'new_spend'
            when {{ window_days }} * cost_usd > {{ kill_switch_ratio }} * trailing_sum_usd then 'kill_switch'
            when {{ window_days }} * cost_usd > {{ alert_ratio }} * trailing_sum_usd then 'alert'
        end as severity
    from trailing_weeks
),

anomalies as (
    select
        usage_date,
        scope_type,
        scope_id,
        cost_usd,
        {{ prorate_money('trailing_sum_usd', '1', window_days) }} as trailing_7d_avg_usd,
        case when trailing_sum_usd > 0
             then {{ to_float("cost_usd") }} * {{ window_days }} / {{ to_float("trailing_sum_usd") }} end as ratio,
        severity
    from classified
    where severity is not null
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from anomalies
