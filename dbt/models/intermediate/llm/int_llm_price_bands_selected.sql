{{ config(materialized='ephemeral') }}
{#-
  The price table as int_llm_calls_priced reads it: per price context of the run's calls (genai-prices model, UTC
  day, batch, service tier; int_llm_call_keys_resolved) and input-token band, the one price of each price key,
  pivoted to a column per key (input_price .. requests_price, USD per unit block). Ephemeral: dbt compiles it into
  int_llm_calls_priced as a CTE.

  * Date: the price in force on the day (valid_from <= usage_date < valid_to).
  * Price source per key, first that applies: a negotiated price for the call's context (stg_llm__price_overrides
    with a variant: the provider that bills the call = the genai-prices provider it resolved to, its model id,
    valid that UTC day), a genai-prices variant (the matching one with the lowest variant_priority; genai-prices:
    first matching variant per key), a published discount (seed llm_published_discounts) on the list base price
    when genai-prices has no variant of the model for that context that day, a negotiated standard price (an
    override without a variant), the list base price. uses_override / uses_discount say which kinds priced a band.
  * Tier: cliff on the call's tier_input_tokens. A band (band_lower_exclusive, band_upper_inclusive] of input
    tokens is a range in which every key's tier is fixed: each key takes its tier with the highest start <= the
    band's start.
-#}
{%- set context = llm_price_context_columns() -%}

-- the distinct (model, day, context) combinations: a few hundred per day, whatever the number of calls
with contexts as (
    select distinct {{ context | join(', ') }}
    from {{ ref('int_llm_call_keys_resolved') }}
    where price_model_id is not null
),

price_rows as (
    select * from {{ source('raw', 'llm_price_snapshot') }}
    where price_key in (
        'input_mtok', 'cache_read_mtok', 'cache_write_mtok', 'cache_write_5m_mtok', 'cache_write_1h_mtok',
        'output_mtok', 'output_reasoning_mtok', 'requests_kcount'
    )
),

overrides as (
    select * from {{ ref('stg_llm__price_overrides') }}
),

discounts as (
    select * from {{ ref('llm_published_discounts') }}
),

-- genai-prices' own rows (base and variants) in force for each context
list_candidates as (
    select
        {{ qualified('c', context) }},
        p.variant,
        p.price_key,
        p.tier_start_input_tokens,
        {{ raw_decimal('p.usd_per_unit_block', 12) }} as usd_per_unit_block,
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
        {{ qualified('c', context) }},
        d.price_multiplier,
        -- a model's own row before the provider's '*' row; batch before a service tier
        row_number() over (
            partition by {{ qualified('c', context) }}
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
        where {{ keys_match('lc', 'c', context) }}
            and lc.variant <> 'base'
            and (
                (d.context_key = 'processing' and lc.variant = 'batch')
                or (d.context_key = 'service_tier' and lc.variant = d.context_value)
            )
    )
),

candidates as (
    select
        {{ context | join(', ') }},
        price_key, tier_start_input_tokens, usd_per_unit_block, source_rank,
        case when variant = 'base' then 'list' else 'variant' end as price_source
    from list_candidates

    union all

    select
        {{ qualified('lc', context) }},
        lc.price_key, lc.tier_start_input_tokens,
        {{ decimal_cast('lc.usd_per_unit_block * dc.price_multiplier', llm_price_type()) }} as usd_per_unit_block,
        2147483000 as source_rank,
        'published_discount' as price_source
    from list_candidates lc
    inner join discount_contexts dc
        on {{ keys_match('dc', 'lc', context) }}
        and dc.discount_rank = 1
    where lc.variant = 'base'

    union all

    select
        {{ qualified('c', context) }},
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
            min(source_rank) over (partition by {{ context | join(', ') }}, price_key) as best_rank
        from candidates
    ) ranked
    where source_rank = best_rank
),

-- input-token bands in which every key's tier is fixed: a call with input tokens I is in band
-- (band_start, band_end] (band 0 also takes I = 0); each key takes its tier with the highest start <= band_start
band_starts as (
    select distinct {{ context | join(', ') }}, tier_start_input_tokens as band_start
    from chosen
),

bands as (
    select
        band_starts.*,
        lead(band_start) over (partition by {{ context | join(', ') }} order by band_start) as band_end
    from band_starts
),

band_tiers as (
    select
        {{ qualified('b', context) }}, b.band_start, b.band_end, c.price_key, c.usd_per_unit_block, c.price_source,
        row_number() over (
            partition by {{ qualified('b', context) }}, b.band_start, c.price_key
            order by c.tier_start_input_tokens desc
        ) as tier_rank
    from bands b
    inner join chosen c
        on {{ keys_match('c', 'b', context) }}
        and c.tier_start_input_tokens <= b.band_start
)

select
    {{ context | join(', ') }},
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
group by {{ context | join(', ') }}, band_start, band_end
