{{ config(**day_partitioned_incremental()) }}
{#- How well each workload uses what it requests, and what its unused requests cost (docs/marts.md), per UTC day,
    cluster, namespace and workload (int_pod_workloads_resolved). Requests and usage are OpenCost's averages × its
    minutes; cost_usd is the workload's pods' reconciled node cost (int_pod_costs_owned: the ledger's kubernetes
    dollars of those pods, idle the policy added to them included). A pod-day's unused_request_cost_usd is
    cost × (cpu_cost · unused_cpu + ram_cost · unused_ram) / (cpu + ram + gpu cost), unused_x = max(request −
    usage, 0) / max(request, usage) in that day's hours (OpenCost prices max(request, usage)), rounded to the
    nano-dollar per pod-day. -#}
{%- set gib_hours = "/ 60.0 / 1073741824.0" -%}
{%- set pod_day = ['cluster', 'usage_date', 'namespace', 'pod'] -%}

with allocations as (
    select
        {{ pod_day | join(', ') }},
        sum(coalesce(cpu_core_request_average, 0) * coalesce(minutes, 0) / 60.0) as cpu_request_core_hours,
        sum(coalesce(cpu_core_usage_average, 0) * coalesce(minutes, 0) / 60.0) as cpu_usage_core_hours,
        sum(coalesce(ram_byte_request_average, 0) * coalesce(minutes, 0) {{ gib_hours }}) as ram_request_gib_hours,
        sum(coalesce(ram_byte_usage_average, 0) * coalesce(minutes, 0) {{ gib_hours }}) as ram_usage_gib_hours,
        sum(coalesce(gpu_hours, 0)) as gpu_hours,
        cast(sum(cpu_cost) as {{ weight_type() }}) as cpu_weight,
        cast(sum(ram_cost) as {{ weight_type() }}) as ram_weight,
        cast(sum(compute_weight) as {{ weight_type() }}) as pod_weight
    from {{ ref('stg_opencost__allocations') }}
    where not is_synthetic and {{ in_run_window('usage_date') }}
    group by {{ pod_day | join(', ') }}
),

costs as (
    select {{ pod_day | join(', ') }}, sum(amount_usd) as cost_usd
    from {{ ref('int_pod_costs_owned') }}
    where recipient_kind = 'pod' and {{ in_run_window('usage_date') }}
    group by {{ pod_day | join(', ') }}
),

pod_days as (
    select
        {{ qualified('a', pod_day) }},
        w.workload,
        w.workload_kind,
        a.cpu_request_core_hours, a.cpu_usage_core_hours, a.ram_request_gib_hours, a.ram_usage_gib_hours,
        a.gpu_hours,
        coalesce(c.cost_usd, {{ to_money('0') }}) as cost_usd,
        {%- set unused = "case when greatest({r}, {u}) > 0 then greatest({r} - {u}, 0) / greatest({r}, {u}) else 0 end" %}
        {{ to_money('round(cast(coalesce(c.cost_usd, 0) as ' ~ weight_type() ~ ') * (a.cpu_weight * '
                    ~ unused.format(r='a.cpu_request_core_hours', u='a.cpu_usage_core_hours') ~ ' + a.ram_weight * '
                    ~ unused.format(r='a.ram_request_gib_hours', u='a.ram_usage_gib_hours')
                    ~ ') / nullif(a.pod_weight, 0), 9)') }} as unused_request_cost_usd
    from allocations as a
    inner join {{ ref('int_pod_workloads_resolved') }} as w
        on w.cluster = a.cluster and w.namespace = a.namespace and w.pod = a.pod
    left join costs as c
        on {{ keys_match('c', 'a', pod_day) }}
),

daily as (
    select
        usage_date, cluster, namespace, workload,
        min(workload_kind) as workload_kind,
        count(distinct pod) as pods,
        sum(cpu_request_core_hours) as cpu_request_core_hours,
        sum(cpu_usage_core_hours) as cpu_usage_core_hours,
        sum(ram_request_gib_hours) as ram_request_gib_hours,
        sum(ram_usage_gib_hours) as ram_usage_gib_hours,
        sum(gpu_hours) as gpu_hours,
        sum(cost_usd) as cost_usd,
        sum(coalesce(unused_request_cost_usd, {{ to_money('0') }})) as unused_request_cost_usd
    from pod_days
    group by 1, 2, 3, 4
),

rated as (
    select
        *,
        case when cpu_request_core_hours > 0 then cpu_usage_core_hours / cpu_request_core_hours end as cpu_efficiency,
        case when ram_request_gib_hours > 0 then ram_usage_gib_hours / ram_request_gib_hours end as ram_efficiency
    from daily
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from rated
