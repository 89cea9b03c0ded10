{#- What matching volume and load balancer bill rows to pods needs of each snapshot's objects, one row per value
    (ingest/kubernetes/kubectl.py: a pod's claims, a PVC's volume, a PV's EBS volume id and claim, a Service's type,
    selector pairs and load balancer name). -#}
with source as (
    select * from {{ source('raw', 'k8s_object_refs') }}
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
        ref,
        value
    from source
)

select * from renamed
