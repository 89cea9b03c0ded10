with source as (
    select * from {{ source('raw', 'revenue') }}
)

select usage_month, tenant_id, mrr_usd from source
