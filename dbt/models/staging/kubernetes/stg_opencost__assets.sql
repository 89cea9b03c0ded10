with source as (
    select * from {{ source('raw', 'opencost_assets') }}
),

renamed as (
    select
        cluster,
        usage_date,
        asset_key,
        asset_type,
        name,
        provider_id,
        -- an AWS providerID may be aws:///zone/i-...; the instance id is its last path segment
        {{ instance_id_from_provider_id('provider_id') }} as instance_id,
        node_type,
        cpu_cores,
        ram_bytes,
        gpu_hours,
        coalesce(cpu_cost, 0) as cpu_cost,
        coalesce(ram_cost, 0) as ram_cost,
        coalesce(gpu_cost, 0) as gpu_cost,
        coalesce(adjustment, 0) as adjustment,
        coalesce(total_cost, 0) as total_cost
    from source
)

select * from renamed
