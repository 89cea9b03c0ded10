{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_k8s_snapshots_used'}}}) }}
{#- A cluster-day of OpenCost cost with no kubectl snapshot of its own: its pods' owners come from the last earlier
    snapshot (hours_stale old by the day's end), or from OpenCost's labels alone when there is none. -#}
select cluster, usage_date, snapshot_used_at, hours_stale
from {{ ref('int_k8s_snapshots_used') }}
where is_stale
