{#- The LLM calls whose dollars come from an LLM provider's own invoice: every call but Bedrock's (invoicing
    provider aws), which is billed on the CUR and adds no dollars. -#}
select * from {{ ref('int_llm_calls_owned') }}
where invoicing_provider <> 'aws'
