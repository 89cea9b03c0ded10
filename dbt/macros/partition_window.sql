{#- The day window a partitioned run rebuilds: vars start_date/end_date (inclusive), set by Dagster from the
    run's partition range. Without them every day is in the window. `days_before` / `days_after` widen it: a mart
    whose day D reads the days before D (a trailing average) is affected by the run's days on the days after them. -#}
{% macro in_run_window(date_column, days_before=0, days_after=0) -%}
    {%- set start = var('start_date', none) -%}
    {%- set end = var('end_date', none) -%}
    {%- if start and end -%}
        {%- set first = "cast('" ~ start ~ "' as date)" -%}
        {%- set last = "cast('" ~ end ~ "' as date)" -%}
        {{ date_column }} between {{ dbt.dateadd('day', -days_before, first) if days_before else first }}
            and {{ dbt.dateadd('day', days_after, last) if days_after else last }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- For incremental day-partitioned models: before inserting the run's rows, delete every day of the window (widened
    by `days_after`, see in_run_window), so a day whose source rows all disappeared (a restated month, a removed file)
    leaves no stale rows behind. -#}
{% macro delete_run_window(date_column='usage_date', days_after=0) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_run_window(date_column, days_after=days_after) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The config of a model rebuilt day by day: each run replaces the days of its window (widened by `days_after`).
    DuckDB deletes the window's days before appending the run's rows (delete_run_window). BigQuery partitions the
    table by day and overwrites exactly the window's day partitions in one statement (insert_overwrite, static
    partitions), so a day whose rows all disappeared is emptied too; without a window, every day the run produced. -#}
{% macro day_partitioned_incremental(days_after=0) -%}
    {%- set common = {'materialized': 'incremental', 'on_schema_change': 'fail'} -%}
    {%- if target.type == 'bigquery' -%}
        {{ return(dict(common, incremental_strategy='insert_overwrite',
                       partition_by={'field': 'usage_date', 'data_type': 'date', 'granularity': 'day'},
                       partitions=run_window_partitions(days_after))) }}
    {%- else -%}
        {{ return(dict(common, incremental_strategy='append',
                       pre_hook="{{ delete_run_window('usage_date', days_after=" ~ days_after ~ ") }}")) }}
    {%- endif -%}
{%- endmacro %}

{#- The window's days (vars start_date .. end_date, plus `days_after`) as BigQuery date literals; none without a
    window. -#}
{% macro run_window_partitions(days_after=0) -%}
    {%- set start = var('start_date', none) -%}
    {%- set end = var('end_date', none) -%}
    {%- if not (start and end) -%}{{ return(none) }}{%- endif -%}
    {%- set first = modules.datetime.date.fromisoformat(start | string) -%}
    {%- set last = modules.datetime.date.fromisoformat(end | string) + modules.datetime.timedelta(days=days_after) -%}
    {%- set days = [] -%}
    {%- for offset in range((last - first).days + 1) -%}
        {%- do days.append("date '" ~ (first + modules.datetime.timedelta(days=offset)).isoformat() ~ "'") -%}
    {%- endfor -%}
    {{ return(days) }}
{%- endmacro %}
