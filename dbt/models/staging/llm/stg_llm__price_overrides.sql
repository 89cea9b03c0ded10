{#- Negotiated LLM prices (business data price_overrides.csv): they win over the list price of their price key for
    calls of their (provider, model) on the UTC days valid_from..valid_to, both inclusive (null = open-ended). -#}
with source as (
    select * from {{ source('raw', 'llm_price_overrides') }}
),

renamed as (
    select
        lower(provider) as provider_id,
        model as model_id,
        price_key,
        lower(variant) as variant,
        coalesce(tier_start_input_tokens, 0) as tier_start_input_tokens,
        {{ raw_decimal('usd_per_unit_block', 12) }} as usd_per_unit_block,
        valid_from,
        valid_to,
        source_file,
        -- a stable row number, for the overlap test to name each pair once
        row_number() over (
            order by lower(provider), model, price_key, lower(variant), valid_from, valid_to, source_file
        ) as period_row_id
    from source
)

select * from renamed
