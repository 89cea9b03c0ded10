{#-
  Every LLM call priced at list price from the genai-prices snapshot, equal to genai-prices' calc_price
  (tests/test_llm_pricing.py checks parity on 1,000 calls). One row per event.

  * Model: the resolution of the response model, else of the request model (raw.llm_model_resolution, made by
    ingest.llm_prices.resolve_models with genai-prices' own matching). Unknown model -> is_priced = false and
    priced_cost_usd null, never $0.
  * Date: the price in force on the call's UTC date (valid_from <= usage_date < valid_to).
  * Price context: variant batch when is_batch, plus the service tier (flex, priority, ...; null / default /
    standard / auto = none). Per price key the matching variant with the lowest variant_priority wins, else base
    (genai-prices: first matching variant per key). A model reached through a fallback provider (Azure serving
    gpt-4o) takes no variants, as in genai-prices.
  * Tier: cliff on the call's total input tokens (the highest tier whose start < input tokens, else base); an
    aggregated row (calls > 1: usage pages) takes the base tier (DESIGN.md §6).
  * Counts: genai-prices' leaf decomposition of Usage(input_tokens = I, cache_read_tokens = CR,
    cache_write_tokens = CW, cache_write_5m_tokens = CW - CW1h, cache_write_1h_tokens = CW1h, output_tokens = O,
    output_reasoning_tokens = R): a priced key's count is its usage minus the counts of its priced descendants;
    requests_kcount counts the calls. Other keys (audio, images, web searches, ...) have no usage here.
  * Money: sum of price x count x 1e-6 (or 1e-3 per *_kcount) in exact decimal, rounded once per call to
    9 decimals, half away from zero (macros/llm_pricing.sql).
-#}
{{ config(materialized='table') }}

with events as (
    select * from {{ ref('stg_llm__events') }}
    where {{ in_run_window('usage_date') }}
),

resolution as (
    select provider_key, model_string, price_provider_id, price_model_id, price_variants_apply
    from (
        select
            lower(coalesce(provider_name, '')) as provider_key,
            model_string,
            price_provider_id,
            price_model_id,
            coalesce(price_variants_apply, false) as price_variants_apply,
            row_number() over (
                partition by lower(coalesce(provider_name, '')), model_string
                order by price_provider_id, price_model_id
            ) as rn
        from {{ source('raw', 'llm_model_resolution') }}
        where price_model_id is not null
    ) deduped
    where rn = 1
),

price_rows as (
    select * from {{ source('raw', 'llm_price_snapshot') }}
    where price_key in (
        'input_mtok', 'cache_read_mtok', 'cache_write_mtok', 'cache_write_5m_mtok', 'cache_write_1h_mtok',
        'output_mtok', 'output_reasoning_mtok', 'requests_kcount'
    )
),

snapshot_meta as (
    select max(price_snapshot_id) as price_snapshot_id
    from {{ source('raw', 'llm_price_snapshot') }}
),

resolved as (
    select
        e.*,
        case when rr.price_model_id is not null then rr.price_provider_id else rq.price_provider_id end
            as price_provider_id,
        coalesce(rr.price_model_id, rq.price_model_id) as price_model_id,
        case when rr.price_model_id is not null then rr.price_variants_apply else rq.price_variants_apply end
            as price_variants_apply
    from events e
    left join resolution rr
        on rr.provider_key = lower(coalesce(e.provider_name, ''))
        and rr.model_string = e.response_model
    left join resolution rq
        on rq.provider_key = lower(coalesce(e.provider_name, ''))
        and rq.model_string = e.request_model
),

call_context as (
    select
        r.*,
        coalesce(r.is_batch, false) and coalesce(r.price_variants_apply, false) as ctx_batch,
        case
            when coalesce(r.price_variants_apply, false) then {{ llm_service_tier_variant('r.service_tier') }}
            else ''
        end as ctx_service_tier,
        case when coalesce(r.calls, 1) > 1 then 0 else coalesce(r.input_tokens, 0) end as tier_input_tokens
    from resolved r
),

-- the distinct (model, day, context) combinations: a few hundred per day, whatever the number of calls
contexts as (
    select distinct price_provider_id, price_model_id, usage_date, ctx_batch, ctx_service_tier
    from call_context
    where price_model_id is not null
),

candidates as (
    select
        c.price_provider_id,
        c.price_model_id,
        c.usage_date,
        c.ctx_batch,
        c.ctx_service_tier,
        p.price_key,
        p.tier_start_input_tokens,
        p.usd_per_unit_block,
        case when p.variant = 'base' then 2147483647 else p.variant_priority end as source_rank
    from contexts c
    inner join price_rows p
        on p.provider_id = c.price_provider_id
        and p.model_id = c.price_model_id
        and p.valid_from <= c.usage_date
        and c.usage_date < p.valid_to
        and (
            p.variant = 'base'
            or (p.variant_key = 'processing' and p.variant_value = 'batch' and c.ctx_batch)
            or (p.variant_key = 'service_tier' and p.variant_value = c.ctx_service_tier)
        )
),

-- per price key, all tiers of the winning source (first matching variant, else base)
chosen as (
    select *
    from (
        select
            candidates.*,
            min(source_rank) over (
                partition by price_provider_id, price_model_id, usage_date, ctx_batch, ctx_service_tier, price_key
            ) as best_rank
        from candidates
    ) ranked
    where source_rank = best_rank
),

-- input-token bands in which every key's tier is fixed: a call with input tokens I is in band
-- (band_start, band_end] (band 0 also takes I = 0); each key takes its tier with the highest start <= band_start
band_starts as (
    select distinct
        price_provider_id, price_model_id, usage_date, ctx_batch, ctx_service_tier,
        tier_start_input_tokens as band_start
    from chosen
),

bands as (
    select
        band_starts.*,
        lead(band_start) over (
            partition by price_provider_id, price_model_id, usage_date, ctx_batch, ctx_service_tier
            order by band_start
        ) as band_end
    from band_starts
),

band_tiers as (
    select
        b.price_provider_id, b.price_model_id, b.usage_date, b.ctx_batch, b.ctx_service_tier,
        b.band_start, b.band_end, c.price_key, c.usd_per_unit_block,
        row_number() over (
            partition by b.price_provider_id, b.price_model_id, b.usage_date, b.ctx_batch, b.ctx_service_tier,
                b.band_start, c.price_key
            order by c.tier_start_input_tokens desc
        ) as tier_rank
    from bands b
    inner join chosen c
        on c.price_provider_id = b.price_provider_id
        and c.price_model_id = b.price_model_id
        and c.usage_date = b.usage_date
        and c.ctx_batch = b.ctx_batch
        and c.ctx_service_tier = b.ctx_service_tier
        and c.tier_start_input_tokens <= b.band_start
),

price_bands as (
    select
        price_provider_id, price_model_id, usage_date, ctx_batch, ctx_service_tier,
        -- plain comparison bounds (an OR in the join condition would make DuckDB loop over every pair)
        case when band_start = 0 then -1 else band_start end as band_lower_exclusive,
        coalesce(band_end, 999999999999999999) as band_upper_inclusive,
        max(case when price_key = 'input_mtok' then usd_per_unit_block end) as input_price,
        max(case when price_key = 'cache_read_mtok' then usd_per_unit_block end) as cache_read_price,
        max(case when price_key = 'cache_write_mtok' then usd_per_unit_block end) as cache_write_price,
        max(case when price_key = 'cache_write_5m_mtok' then usd_per_unit_block end) as cache_write_5m_price,
        max(case when price_key = 'cache_write_1h_mtok' then usd_per_unit_block end) as cache_write_1h_price,
        max(case when price_key = 'output_mtok' then usd_per_unit_block end) as output_price,
        max(case when price_key = 'output_reasoning_mtok' then usd_per_unit_block end) as output_reasoning_price,
        max(case when price_key = 'requests_kcount' then usd_per_unit_block end) as requests_price
    from band_tiers
    where tier_rank = 1
    group by price_provider_id, price_model_id, usage_date, ctx_batch, ctx_service_tier, band_start, band_end
),

priced_inputs as (
    select
        cc.*,
        pb.input_price, pb.cache_read_price, pb.cache_write_price, pb.cache_write_5m_price,
        pb.cache_write_1h_price, pb.output_price, pb.output_reasoning_price, pb.requests_price,
        coalesce(cc.input_tokens, 0) as u_input,
        coalesce(cc.cache_read_input_tokens, 0) as u_cache_read,
        coalesce(cc.cache_creation_input_tokens, 0) as u_cache_write,
        coalesce(cc.cache_creation_input_tokens, 0) - coalesce(cc.cache_creation_1h_input_tokens, 0)
            as u_cache_write_5m,
        coalesce(cc.cache_creation_1h_input_tokens, 0) as u_cache_write_1h,
        coalesce(cc.output_tokens, 0) as u_output,
        coalesce(cc.reasoning_output_tokens, 0) as u_output_reasoning,
        coalesce(cc.calls, 1) as u_requests
    from call_context cc
    left join price_bands pb
        on pb.price_provider_id = cc.price_provider_id
        and pb.price_model_id = cc.price_model_id
        and pb.usage_date = cc.usage_date
        and pb.ctx_batch = cc.ctx_batch
        and pb.ctx_service_tier = cc.ctx_service_tier
        and cc.tier_input_tokens > pb.band_lower_exclusive
        and cc.tier_input_tokens <= pb.band_upper_inclusive
),

-- genai-prices leaf counts: usage minus the leaves of the priced descendants
leaves as (
    select
        priced_inputs.*,
        u_cache_write_1h as leaf_cache_write_1h,
        u_cache_write_5m as leaf_cache_write_5m,
        u_cache_write
            - case when cache_write_5m_price is not null then u_cache_write_5m else 0 end
            - case when cache_write_1h_price is not null then u_cache_write_1h else 0 end as leaf_cache_write,
        u_cache_read as leaf_cache_read,
        u_input
            - case when cache_read_price is not null then u_cache_read else 0 end
            - case
                when cache_write_price is not null then u_cache_write
                else case when cache_write_5m_price is not null then u_cache_write_5m else 0 end
                    + case when cache_write_1h_price is not null then u_cache_write_1h else 0 end
            end as leaf_input,
        u_output_reasoning as leaf_output_reasoning,
        u_output - case when output_reasoning_price is not null then u_output_reasoning else 0 end as leaf_output
    from priced_inputs
),

costed as (
    select
        leaves.*,
        {{ llm_amount('input_price', 'leaf_input', '0.000001') }}
        + {{ llm_amount('cache_read_price', 'leaf_cache_read', '0.000001') }}
        + {{ llm_amount('cache_write_price', 'leaf_cache_write', '0.000001') }}
        + {{ llm_amount('cache_write_5m_price', 'leaf_cache_write_5m', '0.000001') }}
        + {{ llm_amount('cache_write_1h_price', 'leaf_cache_write_1h', '0.000001') }}
        + {{ llm_amount('output_price', 'leaf_output', '0.000001') }}
        + {{ llm_amount('output_reasoning_price', 'leaf_output_reasoning', '0.000001') }}
        + {{ llm_amount('requests_price', 'u_requests', '0.001') }} as exact_cost_usd
    from leaves
)

select
    c.event_id,
    c.event_at,
    c.usage_date,
    c.provider_name,
    c.request_model,
    c.response_model,
    c.tenant_id,
    c.feature_id,
    c.conversation_id,
    c.service_tier,
    c.is_batch,
    c.calls,
    c.input_tokens,
    c.uncached_input_tokens,
    c.cache_read_input_tokens,
    c.cache_creation_input_tokens,
    c.cache_creation_1h_input_tokens,
    c.output_tokens,
    c.reasoning_output_tokens,
    c.cost_usd,
    c.price_provider_id,
    c.price_model_id,
    case when c.price_model_id is not null then m.price_snapshot_id end as price_snapshot_id,
    case when c.price_model_id is not null then {{ llm_round_to_money('c.exact_cost_usd') }} end as priced_cost_usd,
    c.price_model_id is not null as is_priced
from costed c
cross join snapshot_meta m
