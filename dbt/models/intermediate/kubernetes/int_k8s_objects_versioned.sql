{{ config(materialized='table') }}
{#-
  Label history of every Kubernetes object (SCD2 keyed by cluster + uid): consecutive snapshots with the same
  labels and owner form one version. A deleted object keeps its last version open (valid_to null), so a
  pod that vanished still has an owner for the days it ran.
-#}
with snapshots as (
    select
        cluster, kind, namespace, name, uid, labels, owner_kind, owner_name, owner_uid, node_name, snapshot_at,
        coalesce(labels, '') || '|' || coalesce(owner_uid, '') as state
    from {{ ref('stg_kubernetes__objects') }}
    where uid is not null
),

changes as (
    select
        *,
        case when lag(state) over (partition by cluster, uid order by snapshot_at) = state then 0 else 1 end
            as is_change
    from snapshots
),

numbered as (
    select
        *,
        sum(is_change) over (partition by cluster, uid order by snapshot_at rows unbounded preceding) as version
    from changes
),

versions as (
    select
        cluster, kind, namespace, name, uid, version,
        min(snapshot_at) as valid_from,
        max(snapshot_at) as last_seen_at,
        {{ dbt.any_value('labels') }} as labels,
        {{ dbt.any_value('owner_kind') }} as owner_kind,
        {{ dbt.any_value('owner_name') }} as owner_name,
        {{ dbt.any_value('owner_uid') }} as owner_uid,
        max(node_name) as node_name
    from numbered
    group by cluster, kind, namespace, name, uid, version
)

select
    *,
    lead(valid_from) over (partition by cluster, uid order by version) as valid_to
from versions
