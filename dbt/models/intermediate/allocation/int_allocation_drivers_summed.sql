{#-
  Who may receive a shared dollar and what each weighs, per day (docs/allocation.md, "The policy"): one row per
  (usage_date, driver, scope, scope_key, tenant_id, feature_id) of a real tenant (no sentinel) with a positive
  weight.
    direct    cost that was direct before any sharing (shared pieces and idle, kept or shared, never weigh), in scope
              all (scope_key ''), account (the billing account: a bill row's, a pod's node's; LLM calls have none)
              and cluster (pods only);
    requests  that day's requests; tokens: LLM input + output tokens (inclusive counts) of the calls; llm_cost: the
              calls' ledger cost (a provider-billed call's own cost and invoice residual, a Bedrock call's share of
              the bill) - each in scope all and per feature (scope feature: the recipients of a shared workload).
  Each driver is summed in its own type and then cast, so a weight is the same number an exact split of it read
  before the drivers had one home.
-#}
{%- set sentinels = "('__unallocated__', '__idle__')" -%}

with direct_cost as (
    select * from {{ ref('int_costs_attributed') }}
    where allocation = 'direct' and owner_tenant_id not in {{ sentinels }}
),

direct as (
    {%- for scope, key in [('all', "''"), ('account', 'billing_account_id'), ('cluster', 'cluster')] %}
    select
        usage_date, 'direct' as driver, '{{ scope }}' as scope, {{ key }} as scope_key,
        owner_tenant_id as tenant_id, owner_feature_id as feature_id,
        cast(sum(amount_usd) as {{ weight_type() }}) as weight
    from direct_cost
    where {{ key }} is not null
    group by 1, 2, 3, 4, 5, 6
    having sum(amount_usd) > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

usage_sources as (
    select usage_date, 'requests' as driver, tenant_id, feature_id, cast(requests as {{ weight_type() }}) as amount
    from {{ ref('stg_requests__counts') }}
    where {{ in_run_window('usage_date') }} and feature_id is not null
    union all
    select usage_date, 'tokens', tenant_id, coalesce(feature_id, '__unallocated__'),
        cast(coalesce(input_tokens, 0) + coalesce(output_tokens, 0) as {{ weight_type() }})
    from {{ ref('int_llm_calls_owned') }}
    where {{ in_run_window('usage_date') }}
    union all
    select usage_date, 'llm_cost', owner_tenant_id, owner_feature_id, cast(amount_usd as {{ weight_type() }})
    from direct_cost
    where cost_source = 'llm'
    union all
    select usage_date, 'llm_cost', to_tenant_id, to_feature_id, cast(amount_usd as {{ weight_type() }})
    from {{ ref('int_bedrock_costs_split') }}
    where cost_type = 'direct'
),

usage as (
    {%- for scope, key in [('all', "''"), ('feature', 'feature_id')] %}
    select
        usage_date, driver, '{{ scope }}' as scope, {{ key }} as scope_key, tenant_id, feature_id,
        sum(amount) as weight
    from usage_sources
    where tenant_id is not null and tenant_id not in {{ sentinels }}
    group by 1, 2, 3, 4, 5, 6
    having sum(amount) > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from direct
union all
select * from usage
