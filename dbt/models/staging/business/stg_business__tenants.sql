with source as (
    select * from {{ source('raw', 'tenants') }}
)

select tenant_id, tenant_name, plan from source
