{#- `column` LIKE a pattern that comes from data (a seed, the allocation policy), with `%` and `_` as the only wild
    cards on every warehouse: DuckDB's LIKE has no escape character, BigQuery's treats a backslash as one, so there a
    backslash in the pattern is doubled to stay a literal backslash. -#}
{% macro matches_pattern(column, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'unitcost')(column, pattern)) }}
{%- endmacro %}
{% macro default__matches_pattern(column, pattern) -%}{{ column }} like {{ pattern }}{%- endmacro %}
{% macro bigquery__matches_pattern(column, pattern) -%}
    {{ column }} like replace({{ pattern }}, '\\', '\\\\')
{%- endmacro %}
