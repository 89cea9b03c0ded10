{#- OpenCost /allocation rows per pod container and day, priced at list price. Their cost only weighs pods
    against each other on a node (the bill decides the dollars). -#}
with source as (
    select * from {{ source('raw', 'opencost_allocations') }}
),

renamed as (
    select
        cluster,
        usage_date,
        window_start,
        window_end,
        -- when the pod ran inside the window; rows loaded before unitcost kept it ran for their whole window
        coalesce(running_start, window_start) as running_start,
        coalesce(running_end, window_end) as running_end,
        allocation_name,
        node,
        namespace,
        pod,
        container,
        provider_id,
        controller_kind,
        controller,
        -- OpenCost names its synthetic rows __idle__, __unallocated__, __unmounted__: they are not pods
        ({{ dbt.position("'__idle__'", 'allocation_name') }} > 0
            or {{ dbt.position("'__unmounted__'", 'allocation_name') }} > 0
            or coalesce(pod, '') = ''
            or starts_with(pod, '__')) as is_synthetic,
        cpu_core_hours,
        cpu_core_request_average,
        cpu_core_usage_average,
        ram_byte_hours,
        ram_byte_request_average,
        ram_byte_usage_average,
        gpu_hours,
        minutes,
        coalesce(cpu_cost, 0) + coalesce(cpu_cost_adjustment, 0) as cpu_cost,
        coalesce(ram_cost, 0) + coalesce(ram_cost_adjustment, 0) as ram_cost,
        coalesce(gpu_cost, 0) + coalesce(gpu_cost_adjustment, 0) as gpu_cost,
        coalesce(cpu_cost, 0) + coalesce(cpu_cost_adjustment, 0)
            + coalesce(ram_cost, 0) + coalesce(ram_cost_adjustment, 0)
            + coalesce(gpu_cost, 0) + coalesce(gpu_cost_adjustment, 0) as compute_weight,
        total_cost as list_total_cost,
        labels,
        namespace_labels
    from source
)

select * from renamed
