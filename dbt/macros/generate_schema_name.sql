{#- Models land in the schema their folder names (staging, intermediate, marts), not <target>_<schema>:
    analysts and Metabase read `marts.*` by that name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
