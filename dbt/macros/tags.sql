{#- Tags are stored as a JSON object string with CUR 2.0 key style (user_<key>). One macro reads a key on every
    warehouse, so models never touch the JSON functions directly. -#}
{% macro tag(json_col, key) -%}
    {{ return(adapter.dispatch('tag', 'unitcost')(json_col, key)) }}
{%- endmacro %}
{% macro default__tag(json_col, key) -%}
    nullif(json_extract_string({{ json_col }}, '$."' || {{ key }} || '"'), '')
{%- endmacro %}
{% macro bigquery__tag(json_col, key) -%}
    nullif(json_value(parse_json({{ json_col }}), concat('$."', {{ key }}, '"')), '')
{%- endmacro %}

{#- A literal string, quoted for SQL; used for config values (label keys) that end up in SQL text. -#}
{% macro sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{#- OpenCost sanitizes label keys: every character outside [A-Za-z0-9_] becomes '_'. -#}
{% macro opencost_label_key(raw_key) -%}
    {{ sql_string(modules.re.sub('[^A-Za-z0-9_]', '_', raw_key)) }}
{%- endmacro %}

{#- Kubernetes Node spec.providerID on AWS is aws:///<zone>/<instance-id>; OpenCost may give the bare id. -#}
{% macro instance_id_from_provider_id(col) -%}
    nullif({{ dbt.split_part(col, "'/'", -1) }}, '')
{%- endmacro %}
