{#-
  Every priced LLM call (or aggregated usage row) with its invoicing provider, its own cost and its owner.
  int_llm_calls_invoiced keeps the calls an LLM provider invoices; Bedrock calls (invoicing provider aws) are
  billed on the CUR, add no dollars, and only split those bill rows (int_bedrock_costs_split).

  * invoicing_provider: seed llm_provider_map (an Azure OpenAI call is Azure's), else the price provider, else the
    provider name as logged.
  * call_cost_usd: the provider-reported cost_usd when the call carries one, else its list-priced cost. A call with
    neither (unknown model) is not here: the blocking test llm_calls_have_a_cost on int_llm_calls_priced fails the
    build on it and stores it in the quarantine intermediate.llm_calls_unpriced.
  * Owner: the row's own tenant/feature; a row without either (aggregated usage pages, gateway rows) takes the
    owner of its API key, else of its project / workspace / LiteLLM team (stg_llm__key_owners), else none.
  Usage-page rows of a provider-day that has call-level rows were already dropped in staging.
-#}
with priced as (
    select * from {{ ref('int_llm_calls_priced') }}
    where is_priced or cost_usd is not null
),

providers as (
    select otel_provider_name, invoicing_provider
    from {{ ref('llm_provider_map') }}
),

owners as (
    select * from {{ ref('stg_llm__key_owners') }}
),

owned as (
    select
        p.*,
        -- a call with a provider-reported cost but neither a known provider nor a known model still counts
        coalesce(pm.invoicing_provider, p.price_provider_id, lower(p.provider_name), 'unknown') as invoicing_provider,
        case
            when p.tenant_id is not null or p.feature_id is not null then 'event'
            when by_key.key_id is not null then 'api_key'
            when by_group.key_id is not null then by_group.key_type
        end as owner_source,
        case
            when p.tenant_id is not null or p.feature_id is not null then p.tenant_id
            when by_key.key_id is not null then by_key.tenant_id
            else by_group.tenant_id
        end as owner_tenant_id,
        case
            when p.tenant_id is not null or p.feature_id is not null then p.feature_id
            when by_key.key_id is not null then by_key.feature_id
            else by_group.feature_id
        end as owner_feature_id
    from priced as p
    left join providers as pm
        on pm.otel_provider_name = lower(p.provider_name)
    left join owners as by_key
        on by_key.provider = p.owner_key_provider
        and by_key.key_type = 'api_key'
        and by_key.key_id = p.owner_api_key_id
    left join owners as by_group
        on by_group.provider = p.owner_key_provider
        and by_group.key_type = p.owner_group_key_type
        and by_group.key_id = p.owner_group_key_id
)

select
    event_id,
    usage_date,
    invoicing_provider,
    source_format,
    is_aggregated,
    provider_name,
    model,
    {{ llm_usage_columns() | join(', ') }},
    conversation_id,
    owner_tenant_id as tenant_id,
    owner_feature_id as feature_id,
    owner_source,
    priced_cost_usd,
    cost_usd as reported_cost_usd,
    coalesce(cost_usd, priced_cost_usd) as call_cost_usd,
    case when cost_usd is not null then 'reported' else 'priced' end as call_cost_basis
from owned
