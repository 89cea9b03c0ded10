with source as (
    select * from {{ source('raw', 'k8s_objects') }}
),

renamed as (
    select
        cluster,
        snapshot_at,
        usage_date,
        kind,
        namespace,
        name,
        uid,
        labels,
        owner_kind,
        owner_name,
        owner_uid,
        node_name,
        provider_id,
        {{ instance_id_from_provider_id('provider_id') }} as instance_id,
        created_at,
        phase
    from source
)

select * from renamed
