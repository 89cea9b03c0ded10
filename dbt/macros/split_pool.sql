{#-
  Every pool of one allocation of int_costs_attributed (shared_workload, shared_pool, llm_calls_on_bill) split
  by its method (docs/allocation.md, "The policy"), one macro for every method so each is a branch, not a model:
    proportional, requests, tokens, llm_cost, priced_calls: one exact split over the (tenant, feature) pairs of the
      pool's scope, weighed by the driver (direct cost for proportional);
    even, fixed: two exact splits - over tenants (equal weights; the rule's shares), then each tenant's piece over
      its pairs by direct cost in the scope; a fixed tenant without direct cost there keeps it as feature
      __unallocated__.
  A pool is one (day, source, cost source, category, idle-or-not, from, rule, method, scope key). `drivers` has one
  row per (usage_date, driver, scope, scope_key, tenant_id, feature_id) with a positive weight (shape of
  int_allocation_drivers_summed). A pool whose driver is empty that day goes to __unallocated__, rule no_driver.
  Returns the moves in the shape of int_cost_moves_unioned. Idle added to pods stays cost_type idle wherever it
  lands; a Bedrock call's own owner gets its share as direct.
-#}
{% macro split_pool(allocation, drivers) -%}
{%- set pool = ['usage_date', 'source_id', 'cost_source', 'category', 'is_idle_share', 'from_tenant_id',
                'from_feature_id', 'rule_id', 'method', 'scope', 'scope_key'] -%}
{%- set in_scope = "d.usage_date = p.usage_date and d.scope = p.scope and d.scope_key = p.scope_key" -%}
pending as (
    select
        usage_date, source_id, cost_source, category, is_idle_share,
        '__unallocated__' as from_tenant_id, owner_feature_id as from_feature_id,
        rule_id, method, scope, scope_key,
        sum(amount_usd) as amount_usd
    from {{ ref('int_costs_attributed') }}
    where allocation = '{{ allocation }}'
    group by {{ pool | join(', ') }}
),

{#- one level: pairs weighed by the method's own driver -#}
pairs as (
    select p.*, d.tenant_id, d.feature_id, d.weight
    from pending as p
    inner join {{ drivers }} as d
        on {{ in_scope }}
        and d.driver = case when p.method = 'proportional' then 'direct' else p.method end
    where p.method not in ('even', 'fixed')
),

pair_split as (
    {{ exact_split('pairs', 'amount_usd', 'weight', pool, ['r.tenant_id', 'r.feature_id']) }}
),

{#- two levels: tenants first -#}
tenants as (
    select p.*, d.tenant_id, 1 as weight
    from pending as p
    inner join (select distinct usage_date, driver, scope, scope_key, tenant_id from {{ drivers }}) as d
        on {{ in_scope }} and d.driver = 'direct'
    where p.method = 'even'
    union all
    select p.*, s.tenant_id, s.share as weight
    from pending as p
    inner join (select distinct rule_id, tenant_id, share from {{ ref('stg_allocation_policy__shares') }}) as s
        on s.rule_id = p.rule_id
    where p.method = 'fixed'
),

tenant_split as (
    {{ exact_split('tenants', 'amount_usd', 'weight', pool, ['r.tenant_id']) }}
),

tenant_pairs as (
    select {{ qualified('t', pool) }}, t.tenant_id, t.allocated_usd as tenant_usd, d.feature_id, d.weight
    from tenant_split as t
    inner join {{ drivers }} as d
        on d.usage_date = t.usage_date and d.scope = t.scope and d.scope_key = t.scope_key
        and d.driver = 'direct' and d.tenant_id = t.tenant_id
),

feature_split as (
    {{ exact_split('tenant_pairs', 'tenant_usd', 'weight', pool + ['tenant_id'], ['r.feature_id']) }}
),

pieces as (
    select {{ pool | join(', ') }}, tenant_id, feature_id, allocated_usd from pair_split
    union all
    select {{ pool | join(', ') }}, tenant_id, feature_id, allocated_usd from feature_split
    union all
    select {{ qualified('t', pool) }}, t.tenant_id, '__unallocated__', t.allocated_usd
    from tenant_split as t
    where not exists (
        select 1 from tenant_pairs as tp where {{ keys_match('tp', 't', pool + ['tenant_id']) }}
    )
)

select
    usage_date, source_id, cost_source, category,
    from_tenant_id, from_feature_id,
    tenant_id as to_tenant_id, feature_id as to_feature_id,
    case
        when is_idle_share then 'idle'
        when tenant_id = '__unallocated__' then 'unallocated'
        when method = 'priced_calls' then 'direct'
        else 'shared'
    end as cost_type,
    rule_id, method, allocated_usd as amount_usd
from pieces
union all
select
    usage_date, source_id, cost_source, category,
    from_tenant_id, from_feature_id,
    '__unallocated__', from_feature_id,
    case when is_idle_share then 'idle' else 'unallocated' end,
    'no_driver', method, amount_usd
from pending as p
where not exists (select 1 from pieces as x where {{ keys_match('x', 'p', pool) }})
{%- endmacro %}
