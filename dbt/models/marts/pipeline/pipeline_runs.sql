{{ config(materialized='table') }}
{#- One row per Dagster run of the pipeline: what the run cost to run (lib/run_steps.py writes raw.pipeline_run_steps,
    one row per run and step, failed steps included). The estimate is bytes billed x warehouse.price_per_tib_usd,
    in whole nano-dollars (integer arithmetic: no float, no DECIMAL / DECIMAL). The run building this table is left
    out (macro current_run_id): its later steps are recorded after dbt, so it appears whole in the next build. A
    warehouse without the table yet (no run recorded a step) gives no rows. -#}
{%- set steps = source('raw', 'pipeline_run_steps') -%}
{%- set recorded = (adapter.get_relation(steps.database, steps.schema, steps.identifier) is not none) if execute else true -%}
{%- set wide = 'bignumeric' if target.type == 'bigquery' else 'hugeint' -%}

with steps as (
    {%- if recorded %}
    select run_id, step, status, engine, started_at, finished_at, wall_seconds, rows_loaded, bytes_processed,
        bytes_billed
    from {{ steps }}
    where run_id != {{ sql_string(current_run_id()) }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as run_id, cast(null as {{ dbt.type_string() }}) as step,
        cast(null as {{ dbt.type_string() }}) as status, cast(null as {{ dbt.type_string() }}) as engine,
        cast(null as {{ dbt.type_timestamp() }}) as started_at, cast(null as {{ dbt.type_timestamp() }}) as finished_at,
        cast(null as {{ weight_type() }}) as wall_seconds, cast(null as {{ dbt.type_bigint() }}) as rows_loaded,
        cast(null as {{ dbt.type_bigint() }}) as bytes_processed, cast(null as {{ dbt.type_bigint() }}) as bytes_billed
    from (select 1 as one) as nothing
    where 1 = 0
    {%- endif %}
),

runs as (
    select
        run_id,
        max(engine) as engine,
        case when sum(case when status = 'failed' then 1 else 0 end) > 0 then 'failed' else 'succeeded' end as status,
        min(started_at) as started_at,
        max(finished_at) as finished_at,
        count(*) as steps,
        sum(case when status = 'failed' then 1 else 0 end) as failed_steps,
        sum(wall_seconds) as step_seconds,
        sum(rows_loaded) as rows_loaded,
        sum(bytes_processed) as bytes_processed,
        sum(bytes_billed) as bytes_billed
    from steps
    group by run_id
),

priced as (
    select
        *,
        {{ dbt.datediff('started_at', 'finished_at', 'second') }} as elapsed_seconds,
        {{ nano_to_money(int_div_trunc(
            'cast(coalesce(bytes_billed, 0) as ' ~ wide ~ ') * cast(cast(' ~ to_money(sql_string(var('price_per_tib_usd', '6.25')))
            ~ ' * 1000000000 as ' ~ dbt.type_bigint() ~ ') as ' ~ wide ~ ')', '1099511627776')) }} as estimated_cost_usd
    from runs
)

select {{ contract_columns() }}
from priced
