with source as (
    select * from {{ source('raw', 'allocation_policy_settings') }}
)

select idle, shared_workloads as shared_workload_method from source
