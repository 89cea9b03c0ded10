{#- One row per LLM call (or aggregated usage row) with a disjoint token vector: uncached + cache read + cache
    creation = input (inclusive); reasoning is a subset of output (inclusive). Parsers already undid each provider's
    convention (ingest/llm.py, ingest/llm_reports.py).

    Two sources can describe the same traffic: call-level logs (native JSONL, LiteLLM) and the providers' aggregated
    usage pages (OpenAI usage buckets, Anthropic usage_report). A provider-day is described by its call-level logs,
    else by its usage pages, never both (docs/allocation.md): usage rows of a (provider, day) that has call-level rows
    are dropped here, so every consumer counts that day's tokens once. -#}
with source as (
    select * from {{ source('raw', 'llm_events') }}
),

renamed as (
    select
        event_id,
        event_at,
        usage_date,
        source_format,
        source_format in ('openai_usage', 'anthropic_usage') as is_aggregated,
        lower(provider_name) as provider_name,
        request_model,
        response_model,
        coalesce(response_model, request_model) as model,
        coalesce(input_tokens, 0) as input_tokens,
        coalesce(input_tokens, 0) - coalesce(cache_read_input_tokens, 0)
            - coalesce(cache_creation_input_tokens, 0) as uncached_input_tokens,
        coalesce(cache_read_input_tokens, 0) as cache_read_input_tokens,
        coalesce(cache_creation_input_tokens, 0) as cache_creation_input_tokens,
        coalesce(cache_creation_1h_input_tokens, 0) as cache_creation_1h_input_tokens,
        coalesce(output_tokens, 0) as output_tokens,
        coalesce(reasoning_output_tokens, 0) as reasoning_output_tokens,
        -- Anthropic's usage report has no request count: null there, never a made-up 1
        case when source_format = 'anthropic_usage' then calls else coalesce(calls, 1) end as calls,
        conversation_id,
        tenant_id,
        feature_id,
        lower(coalesce(service_tier, 'default')) as service_tier,
        coalesce(is_batch, false) as is_batch,
        cost_usd,
        -- Anthropic usage rows are grouped by context window ("0-200k", "200k-1M"): its lower bound, in tokens
        case when source_format = 'anthropic_usage' then {{ tag('attributes', "'context_window'") }} end
            as context_window,
        -- who owns an aggregated or gateway row without a tenant: llm_key_owners.csv keys
        case when source_format = 'litellm' then 'litellm' else lower(provider_name) end as owner_key_provider,
        case source_format
            when 'openai_usage' then 'project'
            when 'anthropic_usage' then 'workspace'
            when 'litellm' then 'team'
        end as owner_group_key_type,
        case source_format
            when 'openai_usage' then {{ tag('attributes', "'project_id'") }}
            when 'anthropic_usage' then {{ tag('attributes', "'workspace_id'") }}
            when 'litellm' then {{ tag('attributes', "'team_id'") }}
        end as owner_group_key_id,
        case source_format
            when 'openai_usage' then {{ tag('attributes', "'api_key_id'") }}
            when 'anthropic_usage' then {{ tag('attributes', "'api_key_id'") }}
            when 'litellm' then {{ tag('attributes', "'api_key'") }}
        end as owner_api_key_id
    from source
),

tiered as (
    select
        renamed.*,
        -- the input count a long-context tier compares with: one call's own input; an aggregated row takes its
        -- tier from context_window (just above the window's lower bound) where given, else the base tier
        case
            when is_aggregated or coalesce(calls, 1) > 1 then
                case when {{ llm_context_window_floor('context_window') }} > 0
                     then {{ llm_context_window_floor('context_window') }} + 1 else 0 end
            else input_tokens
        end as tier_input_tokens,
        sum(case when is_aggregated then 0 else 1 end) over (partition by provider_name, usage_date)
            as provider_day_call_rows
    from renamed
)

select
    event_id, event_at, usage_date, source_format, is_aggregated, provider_name, request_model, response_model,
    model, input_tokens, uncached_input_tokens, cache_read_input_tokens, cache_creation_input_tokens,
    cache_creation_1h_input_tokens, output_tokens, reasoning_output_tokens, calls, conversation_id, tenant_id,
    feature_id, service_tier, is_batch, cost_usd, context_window, tier_input_tokens, owner_key_provider,
    owner_group_key_type, owner_group_key_id, owner_api_key_id
from tiered
where not (is_aggregated and provider_day_call_rows > 0)
