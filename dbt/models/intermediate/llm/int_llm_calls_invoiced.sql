{#-
  The LLM calls whose dollars come from a provider's own invoice, with the cost that is the truth for that
  (provider, day): priced tokens (DESIGN.md §3.1; cost reports and logged cost_usd come with the LLM issue).
  Calls billed through an ingested cloud bill (Bedrock on the CUR) add no dollars and are left out here.
-#}
with priced as (
    select * from {{ ref('int_llm_calls_priced') }}
),

providers as (
    select otel_provider_name, price_provider_id, invoicing_provider
    from {{ ref('llm_provider_map') }}
)

select
    priced.event_id,
    priced.usage_date,
    coalesce(providers.invoicing_provider, priced.price_provider_id) as invoicing_provider,
    priced.priced_cost_usd
from priced
left join providers
    on providers.otel_provider_name = lower(priced.provider_name)
where priced.is_priced
  and coalesce(providers.invoicing_provider, priced.price_provider_id) <> 'aws'
