{{ config(severity='warn', store_failures=true, meta={'dagster': {'ref': {'name': 'int_costs_attributed'}}}) }}
{#- A policy rule (unitcost.yaml allocation.rules) that moved no dollar on any day of the run: its match names
    nothing that is left for it (a typo, a service the bill does not have, or an earlier rule that takes all of its
    dollars). A warning, not a stop: the dollars it was meant for went to a later rule or __unallocated__. One row
    per such rule, naming it and its match, kept (store_failures) in the audit schema so the warning can be read
    with its rule. -#}
with matched as (
    select distinct rule_order from {{ ref('int_costs_attributed') }}
    where rule_order is not null
),

matches as (
    select
        rule_order,
        {{ dbt.listagg(dbt.concat(["condition_key", "'='", "pattern"]), "'; '",
                       'order by condition_key, pattern') }} as match
    from {{ ref('stg_allocation_policy__conditions') }}
    group by rule_order
)

select r.rule_order, r.rule_id, m.match
from {{ ref('stg_allocation_policy__rules') }} as r
left join matches as m
    on m.rule_order = r.rule_order
where not exists (select 1 from matched where matched.rule_order = r.rule_order)
