{{ config(**day_partitioned_incremental()) }}
{#- Every dollar of effective cost in exactly one cell; per day it sums to the bill plus the LLM invoices
    (bill_reconciliation_daily). A dollar is final where it was attributed (direct, idle, unallocated) or where a
    sharing rule moved it to (int_cost_moves_unioned; idle_share moves end in one of those two places). Idle the
    policy shared stays idle wherever it lands, with rule idle_share (the breakdown keeps the rules it went
    through). -#}
with final_rows as (
    select
        usage_date, source_id, cost_source, category,
        owner_tenant_id as tenant_id, owner_feature_id as feature_id,
        allocation as cost_type, rule_id, amount_usd
    from {{ ref('int_costs_attributed') }}
    where allocation in ('direct', 'idle', 'unallocated')

    union all

    select
        usage_date, source_id, cost_source, category,
        to_tenant_id, to_feature_id, cost_type,
        case when cost_type = 'idle' then 'idle_share' else rule_id end as rule_id,
        amount_usd
    from {{ ref('int_cost_moves_unioned') }}
    where rule_id <> 'idle_share'
),

cells as (
    select
        usage_date, tenant_id, feature_id, source_id, cost_source, cost_type, category, rule_id,
        sum(amount_usd) as amount_usd
    from final_rows
    group by 1, 2, 3, 4, 5, 6, 7, 8
)
{%- set drill = var('conservation_drill_usd', none) %}
{%- if drill is not none %},

-- a conservation fire drill, set by tests/test_ledger_conservation.py only (no config key reaches it): the first
-- cell of the newest day loses `drill` dollars, and both guards must stop the run
drilled as (
    select
        usage_date, tenant_id, feature_id, source_id, cost_source, cost_type, category, rule_id,
        amount_usd - case
            when usage_date = (select max(usage_date) from cells) and row_number() over (
                partition by usage_date
                order by tenant_id, feature_id, source_id, cost_source, cost_type, category, rule_id) = 1
            then {{ to_money(sql_string(drill)) }} else 0 end as amount_usd
    from cells
)
{%- endif %}

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from {{ 'drilled' if drill is not none else 'cells' }}
