{#- The providers' own cost reports (OpenAI costs, Anthropic cost_report), one row per report line, in USD
    (ingest/llm_reports.py already turned Anthropic's cents into dollars). -#}
with source as (
    select * from {{ source('raw', 'llm_cost_reports') }}
),

renamed as (
    select
        report_row_id,
        source_format,
        lower(provider) as invoicing_provider,
        usage_date,
        bucket_start,
        bucket_end,
        amount_usd,
        amount_as_reported,
        cost_type,
        line_item,
        token_type,
        model,
        service_tier,
        project_id,
        workspace_id,
        api_key_id
    from source
)

select * from renamed
