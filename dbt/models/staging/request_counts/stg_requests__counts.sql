with source as (
    select * from {{ source('raw', 'request_counts') }}
)

select
    sample_at,
    usage_date,
    tenant_id,
    feature_id,
    requests
from source
