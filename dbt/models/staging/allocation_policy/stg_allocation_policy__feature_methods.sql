with source as (
    select * from {{ source('raw', 'allocation_policy_feature_methods') }}
)

select feature_id, method as shared_workload_method from source
