{{ config(materialized='ephemeral') }}
{#-
  Everything a call's price depends on except its token counts, once per distinct combination in the run's calls
  (provider, response and request model, service tier, batch, UTC day): the genai-prices model it resolves to and
  the price context it is priced in. Ephemeral: dbt compiles it into int_llm_calls_priced as a CTE, so pricing
  stays one query (3 M calls: BENCHMARKS.md, LLM pricing).

  * Model: the resolution of the response model, else of the request model (raw.llm_model_resolution, made by
    ingest.llm_prices.resolve_models with genai-prices' own matching).
  * Price context: the logged service tier maps through seed llm_service_tiers (per price provider, else '*',
    else the tier as logged) to a genai-prices service_tier and/or batch; is_batch adds batch. A model reached
    through a fallback provider (Azure serving gpt-4o) takes no variants, as in genai-prices.
  * The calls find their combination by key_hash, a 64-bit hash of it (one integer join key instead of four
    strings); two combinations with the same hash would match each other's calls twice, which the unique test
    on int_llm_calls_priced.event_id catches.
-#}
{#- read from staging rather than from int_llm_calls_priced's `events` CTE: a CTE read twice is materialized,
    which costs more than a second scan -#}
with call_keys as (
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

service_tiers as (
    select
        price_provider_id,
        lower(service_tier) as service_tier,
        lower(coalesce(price_service_tier, '')) as price_service_tier,
        coalesce(is_batch, false) as is_batch
    from {{ ref('llm_service_tiers') }}
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
)

select
    t.*,
    (coalesce(t.is_batch, false) or t.tier_is_batch) and coalesce(t.price_variants_apply, false) as ctx_batch,
    case when coalesce(t.price_variants_apply, false) then t.mapped_service_tier else '' end as ctx_service_tier
from tiers_mapped t
