{#- Models land in the schema their folder names (staging, intermediate, marts), not <target>_<schema>:
    analysts and Metabase read `marts.*` by that name. On BigQuery each schema is the dataset <prefix><schema>
    (var dataset_prefix, unitcost.yaml warehouse.dataset_prefix), and the marts are built into <prefix>marts_build:
    readers' <prefix>marts receives a copy of each table only after the run's blocking checks passed
    (docs/configuration.md, Running on BigQuery). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.type == 'bigquery' -%}
        {%- set schema = custom_schema_name | trim -%}
        {{ var('dataset_prefix', 'unitcost_') }}{{ 'marts_build' if schema == 'marts' else schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
