{#- How current each source is: the days it has delivered data for, against the days the ledger has built. A source
    that stopped delivering shows it twice: its last usage day falls behind the last built day, and the built days
    since its first day without any of its rows are counted as missing (the ledger built them from the others). -#}
with delivered as (
    -- a bill's usage days are the days its line items start on (a monthly fee starts on the 1st and counts once)
    select distinct 'cloud_bill' as source_kind, source_id as source_name,
           cast(charge_period_start as date) as usage_date
    from {{ ref('int_bill_line_items_unioned') }}
    union all
    select distinct 'opencost', cluster, usage_date from {{ ref('stg_opencost__allocations') }}
    union all
    -- per invoicing provider, as in source_id llm:<provider>; a day with only an invoice residual is no delivery
    select distinct 'llm', provider, usage_date from {{ ref('llm_token_economics_daily') }}
    where input_tokens + output_tokens > 0
    union all
    select distinct 'requests', 'requests', usage_date from {{ ref('stg_requests__counts') }}
),

built as (
    {{ built_days() }}
),

spans as (
    select source_kind, source_name, min(usage_date) as first_usage_date, max(usage_date) as last_usage_date
    from delivered
    group by 1, 2
),

-- the built days from each source's first usage day on, and whether the source delivered each of them
expected as (
    select s.source_kind, s.source_name, b.usage_date, d.usage_date is not null as has_data
    from spans as s
    inner join built as b on b.usage_date >= s.first_usage_date
    left join delivered as d
        on d.source_kind = s.source_kind and d.source_name = s.source_name and d.usage_date = b.usage_date
),

freshness as (
    select
        s.source_kind,
        s.source_name,
        s.first_usage_date,
        s.last_usage_date,
        max(e.usage_date) as last_built_date,
        count(e.usage_date) as built_days,
        count(case when not e.has_data then 1 end) as days_missing
    from spans as s
    left join expected as e on e.source_kind = s.source_kind and e.source_name = s.source_name
    group by 1, 2, 3, 4
),

final as (
    select
        freshness.*,
        case when last_built_date > last_usage_date
             then {{ dbt.datediff('last_usage_date', 'last_built_date', 'day') }} else 0 end as days_behind
    from freshness
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from final
