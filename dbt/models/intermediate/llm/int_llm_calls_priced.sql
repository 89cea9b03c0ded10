{#-
  Every LLM call priced from the genai-prices snapshot (list prices equal to genai-prices' calc_price:
  tests/test_llm_pricing.py checks parity on 1,000 calls), negotiated prices and published discounts. One row per
  event.

  * Model: the resolution of the response model, else of the request model (raw.llm_model_resolution, made by
    ingest.llm_prices.resolve_models with genai-prices' own matching). Unknown model, or a model without any
    token or request price -> is_priced = false and priced_cost_usd null, never $0.
  * Date: the price in force on the call's UTC date (valid_from <= usage_date < valid_to).
  * Price context: the logged service tier maps through seed llm_service_tiers (per price provider, else '*',
    else the tier as logged) to a genai-prices service_tier and/or batch; is_batch adds batch. Per price key the
    matching variant with the lowest variant_priority wins, else base (genai-prices: first matching variant per
    key). A model reached through a fallback provider (Azure serving gpt-4o) takes no variants, as in genai-prices.
  * Price source per key, first that applies: a negotiated price for the call's context (stg_llm__price_overrides
    with a variant: the provider that bills the call = the genai-prices provider it resolved to, its model id,
    valid that UTC day), a genai-prices variant, a published discount (seed llm_published_discounts) on the list
    base price when genai-prices has no variant of the model for that context that day, a negotiated standard
    price (an override without a variant), the list base price. `price_basis` says which kinds priced the call.
  * Tier: cliff on tier_input_tokens (staging: the call's total input tokens; an aggregated usage row takes its
    tier from its context_window, else the base tier, DESIGN.md §6): the highest tier whose start < it, else base.
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

-- everything a price depends on except the token counts, once per distinct combination (read from staging
-- again rather than from `events`: a CTE read twice is materialized, which costs more than the second scan).
-- The calls find their combination by a 64-bit hash of it (one integer join key instead of four strings); two
-- combinations with the same hash would match each other's calls twice, which the unique test on event_id catches.
call_keys as (
    select distinct
        {{ llm_key_hash(llm_price_key_columns()) }} as key_hash,
        provider_name as provider_key,
        response_model as response_key,
        request_model as request_key,
        service_tier,
        is_batch,
        usage_date
    from {{ ref('stg_llm__events') }}
    where {{ in_run_window('usage_date') }}
),

resolution as (
    select provider_key, model_string, price_provider_id, price_model_id, matched_provider_id, price_variants_apply
    from (
        select
            lower(coalesce(provider_name, '')) as provider_key,
            model_string,
            price_provider_id,
            price_model_id,
            coalesce(matched_provider_id, price_provider_id) as matched_provider_id,
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

service_tiers as (
    select
        price_provider_id,
        lower(service_tier) as service_tier,
        lower(coalesce(price_service_tier, '')) as price_service_tier,
        coalesce(is_batch, false) as is_batch
    from {{ ref('llm_service_tiers') }}
),

overrides as (
    select * from {{ ref('stg_llm__price_overrides') }}
),

discounts as (
    select * from {{ ref('llm_published_discounts') }}
),

snapshot_meta as (
    select max(price_snapshot_id) as price_snapshot_id
    from {{ source('raw', 'llm_price_snapshot') }}
),

resolved as (
    select
        k.*,
        case when rr.price_model_id is not null then rr.price_provider_id else rq.price_provider_id end
            as price_provider_id,
        coalesce(rr.price_model_id, rq.price_model_id) as price_model_id,
        case when rr.price_model_id is not null then rr.matched_provider_id else rq.matched_provider_id end
            as matched_provider_id,
        case when rr.price_model_id is not null then rr.price_variants_apply else rq.price_variants_apply end
            as price_variants_apply
    from call_keys k
    left join resolution rr
        on rr.provider_key = lower(coalesce(k.provider_key, ''))
        and rr.model_string = k.response_key
    left join resolution rq
        on rq.provider_key = lower(coalesce(k.provider_key, ''))
        and rq.model_string = k.request_key
),

-- the logged tier as the seed maps it for the call's price provider, else for every provider ('*')
tiers_mapped as (
    select
        r.*,
        coalesce(st_provider.price_service_tier, st_any.price_service_tier,
                 {{ llm_service_tier_variant('r.service_tier') }}) as mapped_service_tier,
        coalesce(st_provider.is_batch, st_any.is_batch, false) as tier_is_batch
    from resolved r
    left join service_tiers st_provider
        on st_provider.price_provider_id = r.price_provider_id
        and st_provider.service_tier = lower(trim(coalesce(r.service_tier, '')))
    left join service_tiers st_any
        on st_any.price_provider_id = '*'
        and st_any.service_tier = lower(trim(coalesce(r.service_tier, '')))
),

call_context as (
    select
        t.*,
        (coalesce(t.is_batch, false) or t.tier_is_batch) and coalesce(t.price_variants_apply, false) as ctx_batch,
        case when coalesce(t.price_variants_apply, false) then t.mapped_service_tier else '' end as ctx_service_tier
    from tiers_mapped t
),

-- the distinct (model, day, context) combinations: a few hundred per day, whatever the number of calls
contexts as (
    select distinct price_provider_id, price_model_id, matched_provider_id, usage_date, ctx_batch, ctx_service_tier
    from call_context
    where price_model_id is not null
),

-- genai-prices' own rows (base and variants) in force for each context
list_candidates as (
    select
        c.price_provider_id,
        c.price_model_id,
        c.matched_provider_id,
        c.usage_date,
        c.ctx_batch,
        c.ctx_service_tier,
        p.variant,
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

-- published discounts for a context asked for but without any genai-prices variant of the model that day
discount_contexts as (
    select
        c.price_provider_id, c.price_model_id, c.matched_provider_id, c.usage_date, c.ctx_batch, c.ctx_service_tier,
        d.price_multiplier,
        -- a model's own row before the provider's '*' row; batch before a service tier
        row_number() over (
            partition by c.price_provider_id, c.price_model_id, c.matched_provider_id, c.usage_date, c.ctx_batch,
                c.ctx_service_tier
            order by case when d.model_id = '*' then 1 else 0 end, d.context_key, d.context_value
        ) as discount_rank
    from contexts c
    inner join discounts d
        on d.price_provider_id = c.price_provider_id
        and (d.model_id = c.price_model_id or d.model_id = '*')
        and d.valid_from <= c.usage_date
        and (d.valid_to is null or c.usage_date <= d.valid_to)
        and (
            (d.context_key = 'processing' and d.context_value = 'batch' and c.ctx_batch)
            or (d.context_key = 'service_tier' and d.context_value = c.ctx_service_tier)
        )
    where not exists (
        select 1 from list_candidates lc
        where lc.price_provider_id = c.price_provider_id and lc.price_model_id = c.price_model_id
            and lc.matched_provider_id = c.matched_provider_id and lc.usage_date = c.usage_date
            and lc.ctx_batch = c.ctx_batch and lc.ctx_service_tier = c.ctx_service_tier
            and lc.variant <> 'base'
            and (
                (d.context_key = 'processing' and lc.variant = 'batch')
                or (d.context_key = 'service_tier' and lc.variant = d.context_value)
            )
    )
),

candidates as (
    select
        price_provider_id, price_model_id, matched_provider_id, usage_date, ctx_batch, ctx_service_tier,
        price_key, tier_start_input_tokens, usd_per_unit_block, source_rank,
        case when variant = 'base' then 'list' else 'variant' end as price_source
    from list_candidates

    union all

    select
        lc.price_provider_id, lc.price_model_id, lc.matched_provider_id, lc.usage_date, lc.ctx_batch,
        lc.ctx_service_tier, lc.price_key, lc.tier_start_input_tokens,
        cast(lc.usd_per_unit_block * dc.price_multiplier as {{ llm_price_type() }}) as usd_per_unit_block,
        2147483000 as source_rank,
        'published_discount' as price_source
    from list_candidates lc
    inner join discount_contexts dc
        on dc.price_provider_id = lc.price_provider_id and dc.price_model_id = lc.price_model_id
        and dc.matched_provider_id = lc.matched_provider_id and dc.usage_date = lc.usage_date
        and dc.ctx_batch = lc.ctx_batch and dc.ctx_service_tier = lc.ctx_service_tier
        and dc.discount_rank = 1
    where lc.variant = 'base'

    union all

    select
        c.price_provider_id, c.price_model_id, c.matched_provider_id, c.usage_date, c.ctx_batch, c.ctx_service_tier,
        o.price_key, o.tier_start_input_tokens, o.usd_per_unit_block,
        -- a variant-specific override beats everything; one without a variant is the standard price: it replaces
        -- the base price, so batch / flex / priority calls keep their context's price unless an override names it
        case when o.variant is null then 2147483500 else -1 end as source_rank,
        'override' as price_source
    from contexts c
    inner join overrides o
        on o.provider_id = c.matched_provider_id
        and o.model_id = c.price_model_id
        and o.valid_from <= c.usage_date
        and (o.valid_to is null or c.usage_date <= o.valid_to)
        and (
            o.variant is null
            or (o.variant = 'batch' and c.ctx_batch)
            or (o.variant = c.ctx_service_tier)
        )
),

-- per price key, all tiers of the winning source (first matching variant, else base)
chosen as (
    select *
    from (
        select
            candidates.*,
            min(source_rank) over (
                partition by price_provider_id, price_model_id, matched_provider_id, usage_date, ctx_batch,
                    ctx_service_tier, price_key
            ) as best_rank
        from candidates
    ) ranked
    where source_rank = best_rank
),

-- input-token bands in which every key's tier is fixed: a call with input tokens I is in band
-- (band_start, band_end] (band 0 also takes I = 0); each key takes its tier with the highest start <= band_start
band_starts as (
    select distinct
        price_provider_id, price_model_id, matched_provider_id, usage_date, ctx_batch, ctx_service_tier,
        tier_start_input_tokens as band_start
    from chosen
),

bands as (
    select
        band_starts.*,
        lead(band_start) over (
            partition by price_provider_id, price_model_id, matched_provider_id, usage_date, ctx_batch,
                ctx_service_tier
            order by band_start
        ) as band_end
    from band_starts
),

band_tiers as (
    select
        b.price_provider_id, b.price_model_id, b.matched_provider_id, b.usage_date, b.ctx_batch,
        b.ctx_service_tier, b.band_start, b.band_end, c.price_key, c.usd_per_unit_block, c.price_source,
        row_number() over (
            partition by b.price_provider_id, b.price_model_id, b.matched_provider_id, b.usage_date, b.ctx_batch,
                b.ctx_service_tier, b.band_start, c.price_key
            order by c.tier_start_input_tokens desc
        ) as tier_rank
    from bands b
    inner join chosen c
        on c.price_provider_id = b.price_provider_id
        and c.price_model_id = b.price_model_id
        and c.matched_provider_id = b.matched_provider_id
        and c.usage_date = b.usage_date
        and c.ctx_batch = b.ctx_batch
        and c.ctx_service_tier = b.ctx_service_tier
        and c.tier_start_input_tokens <= b.band_start
),

price_bands as (
    select
        price_provider_id, price_model_id, matched_provider_id, usage_date, ctx_batch, ctx_service_tier,
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
        max(case when price_key = 'requests_kcount' then usd_per_unit_block end) as requests_price,
        max(case when price_source = 'override' then 1 else 0 end) as uses_override,
        max(case when price_source = 'published_discount' then 1 else 0 end) as uses_discount
    from band_tiers
    where tier_rank = 1
    group by price_provider_id, price_model_id, matched_provider_id, usage_date, ctx_batch, ctx_service_tier,
        band_start, band_end
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
        on pb.price_provider_id = cc.price_provider_id
        and pb.price_model_id = cc.price_model_id
        and pb.matched_provider_id = cc.matched_provider_id
        and pb.usage_date = cc.usage_date
        and pb.ctx_batch = cc.ctx_batch
        and pb.ctx_service_tier = cc.ctx_service_tier
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
    c.calls,
    c.input_tokens,
    c.uncached_input_tokens,
    c.cache_read_input_tokens,
    c.cache_creation_input_tokens,
    c.cache_creation_1h_input_tokens,
    c.output_tokens,
    c.reasoning_output_tokens,
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
