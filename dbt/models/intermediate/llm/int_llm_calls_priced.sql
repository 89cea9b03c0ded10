{#-
  Every LLM call priced from the genai-prices snapshot (list prices equal to genai-prices' calc_price:
  tests/test_llm_pricing.py checks parity on 1,000 calls), negotiated prices and published discounts. One row per
  event. Three steps, compiled by dbt into one query (the first two are ephemeral):
    1. int_llm_call_keys_resolved: each distinct price key of the calls -> its genai-prices model and price context;
    2. int_llm_price_bands_selected: per price context and input-token band, the price of every price key;
    3. here: each call meets its key's band in one join and is costed.

  * Unknown model, or a model without any token or request price -> is_priced = false and priced_cost_usd null,
    never $0.
  * Tier: cliff on tier_input_tokens (staging: the call's total input tokens; an aggregated usage row takes its
    tier from its context_window, else the base tier, docs/llm.md): the highest tier whose start < it, else base.
  * Counts: genai-prices' leaf decomposition of Usage(input_tokens = I, cache_read_tokens = CR,
    cache_write_tokens = CW, cache_write_5m_tokens = CW - CW1h, cache_write_1h_tokens = CW1h, output_tokens = O,
    output_reasoning_tokens = R): a priced key's count is its usage minus the counts of its priced descendants;
    requests_kcount counts the calls. Other keys (audio, images, web searches, ...) have no usage here.
  * Money: sum of price x count x 1e-6 (or 1e-3 per *_kcount), exact, rounded once per call to 9 decimals, half
    away from zero, in 64-bit integers (macros/llm_pricing.sql: each price is split into micro-dollar and
    pico-dollar parts); exact for any call below $9.2 million, else the build fails with an overflow error.
  * Speed: everything a price depends on (model strings, tier, batch, day) is resolved once per distinct
    combination; the calls meet the result in one join (3 M calls: BENCHMARKS.md, LLM pricing).
-#}
{{ config(materialized='table') }}

with events as (
    select * from {{ ref('stg_llm__events') }}
    where {{ in_run_window('usage_date') }}
),

call_context as (
    select * from {{ ref('int_llm_call_keys_resolved') }}
),

price_bands as (
    select * from {{ ref('int_llm_price_bands_selected') }}
),

snapshot_meta as (
    select max(price_snapshot_id) as price_snapshot_id
    from {{ source('raw', 'llm_price_snapshot') }}
),

-- per call key and input-token band: its prices as exact integer parts (hi = micro-dollars, lo = the rest in
-- pico-dollars, per unit block); hi null = the key is not priced. A key with no price band (unknown model) gets
-- one open band with no prices.
key_bands as (
    select
        cc.key_hash,
        cc.price_provider_id, cc.price_model_id, cc.matched_provider_id, cc.ctx_batch, cc.ctx_service_tier,
        pb.price_model_id is not null as has_prices,
        coalesce(pb.band_lower_exclusive, -1) as band_lower_exclusive,
        coalesce(pb.band_upper_inclusive, 999999999999999999) as band_upper_inclusive,
        {% for key in llm_priced_keys() -%}
        {{ llm_price_hi('pb.' ~ key ~ '_price') }} as {{ key }}_hi,
        {{ llm_price_lo('pb.' ~ key ~ '_price') }} as {{ key }}_lo,
        {% endfor -%}
        coalesce(pb.uses_override, 0) as uses_override,
        coalesce(pb.uses_discount, 0) as uses_discount
    from call_context cc
    left join price_bands pb
        on {{ keys_match('pb', 'cc', llm_price_context_columns()) }}
),

-- the one join over every call: its key and its band
priced_inputs as (
    select
        e.*,
        kb.price_provider_id, kb.price_model_id, kb.matched_provider_id, kb.ctx_batch, kb.ctx_service_tier,
        kb.has_prices, kb.uses_override, kb.uses_discount,
        {% for key in llm_priced_keys() -%}
        kb.{{ key }}_hi, kb.{{ key }}_lo,
        {% endfor -%}
        coalesce(e.input_tokens, 0) as u_input,
        coalesce(e.cache_read_input_tokens, 0) as u_cache_read,
        coalesce(e.cache_creation_input_tokens, 0) as u_cache_write,
        coalesce(e.cache_creation_input_tokens, 0) - coalesce(e.cache_creation_1h_input_tokens, 0)
            as u_cache_write_5m,
        coalesce(e.cache_creation_1h_input_tokens, 0) as u_cache_write_1h,
        coalesce(e.output_tokens, 0) as u_output,
        coalesce(e.reasoning_output_tokens, 0) as u_output_reasoning,
        coalesce(e.calls, 1) as u_requests
    from events e
    left join key_bands kb
        on kb.key_hash = {{ llm_key_hash(llm_price_key_columns('e.')) }}
        and coalesce(e.tier_input_tokens, 0) > kb.band_lower_exclusive
        and coalesce(e.tier_input_tokens, 0) <= kb.band_upper_inclusive
),

-- genai-prices leaf counts: usage minus the leaves of the priced descendants
leaves as (
    select
        priced_inputs.*,
        u_cache_write_1h as leaf_cache_write_1h,
        u_cache_write_5m as leaf_cache_write_5m,
        u_cache_write
            - case when cache_write_5m_hi is not null then u_cache_write_5m else 0 end
            - case when cache_write_1h_hi is not null then u_cache_write_1h else 0 end as leaf_cache_write,
        u_cache_read as leaf_cache_read,
        u_input
            - case when cache_read_hi is not null then u_cache_read else 0 end
            - case
                when cache_write_hi is not null then u_cache_write
                else case when cache_write_5m_hi is not null then u_cache_write_5m else 0 end
                    + case when cache_write_1h_hi is not null then u_cache_write_1h else 0 end
            end as leaf_input,
        u_output_reasoning as leaf_output_reasoning,
        u_output - case when output_reasoning_hi is not null then u_output_reasoning else 0 end as leaf_output
    from priced_inputs
),

costed as (
    select
        leaves.*,
        {{ llm_nano_cost([
            ('input', 'leaf_input', 'mtok'), ('cache_read', 'leaf_cache_read', 'mtok'),
            ('cache_write', 'leaf_cache_write', 'mtok'), ('cache_write_5m', 'leaf_cache_write_5m', 'mtok'),
            ('cache_write_1h', 'leaf_cache_write_1h', 'mtok'), ('output', 'leaf_output', 'mtok'),
            ('output_reasoning', 'leaf_output_reasoning', 'mtok'), ('requests', 'u_requests', 'kcount'),
        ]) }} as cost_nano_usd
    from leaves
)

select
    c.event_id,
    c.event_at,
    c.usage_date,
    c.source_format,
    c.is_aggregated,
    c.provider_name,
    c.request_model,
    c.response_model,
    c.model,
    c.tenant_id,
    c.feature_id,
    c.conversation_id,
    c.service_tier,
    c.is_batch,
    {{ qualified('c', llm_usage_columns()) }},
    c.cost_usd,
    c.owner_key_provider,
    c.owner_group_key_type,
    c.owner_group_key_id,
    c.owner_api_key_id,
    c.price_provider_id,
    c.price_model_id,
    c.matched_provider_id,
    c.ctx_batch as priced_as_batch,
    nullif(c.ctx_service_tier, '') as priced_service_tier,
    case
        when not coalesce(c.has_prices, false) then null
        when c.uses_override = 1 then 'override'
        when c.uses_discount = 1 then 'published_discount'
        else 'list'
    end as price_basis,
    case when c.has_prices then m.price_snapshot_id end as price_snapshot_id,
    case when c.has_prices then {{ llm_nano_to_money('c.cost_nano_usd') }} end as priced_cost_usd,
    coalesce(c.has_prices, false) as is_priced
from costed c
cross join snapshot_meta m
