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
