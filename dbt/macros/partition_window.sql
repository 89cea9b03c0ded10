{#- The day window a partitioned run rebuilds: vars start_date/end_date (inclusive), set by Dagster from the
    run's partition range. Without them every day is in the window. -#}
{% macro in_run_window(date_column) -%}
    {%- set start = var('start_date', none) -%}
    {%- set end = var('end_date', none) -%}
    {%- if start and end -%}
        {{ date_column }} between cast('{{ start }}' as date) and cast('{{ end }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- For incremental day-partitioned models: before inserting the run's rows, delete every day of the window, so
    a day whose source rows all disappeared (a restated month, a removed file) leaves no stale rows behind. -#}
{% macro delete_run_window(date_column='usage_date') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_run_window(date_column) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
