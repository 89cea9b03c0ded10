{#-
  Which kubectl snapshot each OpenCost cluster-day's owners were read from, and how old it was by the day's end.
  Labels stay in force until a snapshot shows them changed, so a day with no snapshot of its own is owned by the
  last earlier one (int_k8s_objects_in_force); the test assert_k8s_snapshots_cover_each_opencost_day warns of it.
-#}
with opencost_days as (
    select distinct cluster, usage_date
    from {{ ref('stg_opencost__allocations') }}
    where not is_synthetic and {{ in_run_window('usage_date') }}
),

snapshots as (
    select distinct cluster, snapshot_at from {{ ref('stg_kubernetes__objects') }}
),

used as (
    select
        d.cluster,
        d.usage_date,
        max(s.snapshot_at) as snapshot_used_at
    from opencost_days as d
    left join snapshots as s
        on s.cluster = d.cluster and s.snapshot_at < {{ dbt.dateadd('day', 1, 'd.usage_date') }}
    group by d.cluster, d.usage_date
)

select
    cluster,
    usage_date,
    snapshot_used_at,
    {{ dbt.datediff('snapshot_used_at', dbt.dateadd('day', 1, 'usage_date'), 'hour') }} as hours_stale,
    (snapshot_used_at is null or snapshot_used_at < cast(usage_date as {{ dbt.type_timestamp() }})) as is_stale
from used
