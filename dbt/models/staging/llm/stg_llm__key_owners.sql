{#- Who owns an LLM usage key (business data llm_key_owners.csv): an OpenAI project, an Anthropic workspace, a
    LiteLLM team or an API key → tenant and feature, for usage rows that carry no tenant of their own. -#}
with source as (
    select * from {{ source('raw', 'llm_key_owners') }}
),

renamed as (
    select
        lower(provider) as provider,
        lower(key_type) as key_type,
        key_id,
        tenant_id,
        feature_id
    from source
)

select * from renamed
