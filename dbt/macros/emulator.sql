{#- EMULATOR ONLY (var bq_emulator, set by warehouse.emulator: true in the tests; README.md, Running on BigQuery).
    The bqemulator runs BigQuery's SQL on DuckDB, which cannot parse `create table t (columns) as select`, the DDL
    dbt-bigquery writes for a model with an enforced contract. There the column list is left out: the table takes
    its columns from the select, which dbt's contract check (the column names and types, compared before the DDL
    runs) has already held against the contract. On BigQuery, and on every other warehouse, dbt's own DDL is used. -#}
{% macro bigquery__get_table_columns_and_constraints() -%}
    {%- if var('bq_emulator', false) -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(dbt.default__get_table_columns_and_constraints()) }}
{%- endmacro %}
