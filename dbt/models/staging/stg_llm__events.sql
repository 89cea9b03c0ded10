{#- One row per LLM call with a disjoint token vector: uncached + cache read + cache creation = input (inclusive);
    reasoning is a subset of output (inclusive). Parsers already undid each provider's convention. -#}
with source as (
    select * from {{ source('raw', 'llm_events') }}
),

renamed as (
    select
        event_id,
        event_at,
        usage_date,
        source_format,
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
        coalesce(calls, 1) as calls,
        conversation_id,
        tenant_id,
        feature_id,
        lower(coalesce(service_tier, 'default')) as service_tier,
        coalesce(is_batch, false) as is_batch,
        cost_usd
    from source
)

select * from renamed
