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
