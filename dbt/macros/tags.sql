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

{#- An owner key of the config (attribution.tenant_tag, feature_label, ...) as a list: unitcost.yaml gives one key or
    a list of keys (dagster_project/lib/config.py passes a list; dbt_project.yml's defaults are single keys). -#}
{% macro owner_keys(keys) -%}
    {%- set listed = [keys] if keys is string else keys -%}
    {%- if listed is mapping or listed is not iterable or listed | length == 0
          or listed | reject('string') | list | length > 0 -%}
        {{ exceptions.raise_compiler_error("an owner key must be a key or a non-empty list of keys, got " ~ keys) }}
    {%- endif -%}
    {{ return(listed | list) }}
{%- endmacro %}

{#- The value of the first of `keys` (one key or a list) that the row's JSON object holds, non-empty; else null. One
    config can so name the owner on rows of providers that tag differently ([business_unit, org]). -#}
{% macro first_tag(json_col, keys) -%}
    {%- set keys = owner_keys(keys) -%}
    {%- if keys | length == 1 -%}
        {{ tag(json_col, sql_string(keys[0])) }}
    {%- else -%}
        coalesce({% for k in keys %}{{ tag(json_col, sql_string(k)) }}{{ ', ' if not loop.last }}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{#- A literal string, quoted for SQL; used for config values (label keys) that end up in SQL text. -#}
{% macro sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{#- OpenCost sanitizes label keys: every character outside [A-Za-z0-9_] becomes '_'. The keys as OpenCost writes
    them, for first_tag. -#}
{% macro opencost_label_keys(raw_keys) -%}
    {%- set sanitized = [] -%}
    {%- for k in owner_keys(raw_keys) -%}
        {%- do sanitized.append(modules.re.sub('[^A-Za-z0-9_]', '_', k)) -%}
    {%- endfor -%}
    {{ return(sanitized) }}
{%- endmacro %}

{#- Kubernetes Node spec.providerID on AWS is aws:///<zone>/<instance-id>; OpenCost may give the bare id. -#}
{% macro instance_id_from_provider_id(col) -%}
    nullif({{ dbt.split_part(col, "'/'", -1) }}, '')
{%- endmacro %}

{#- Label sets (JSON object strings, lowest precedence first) merged into one: per key, the last set that has it
    wins. A null set counts as empty. -#}
{% macro labels_merged(layers) -%}
    {{ return(adapter.dispatch('labels_merged', 'unitcost')(layers)) }}
{%- endmacro %}
{% macro default__labels_merged(layers) -%}
    {%- set merged = namespace(sql="cast('{}' as json)") -%}
    {%- for layer in layers -%}
        {%- set merged.sql = "json_merge_patch(" ~ merged.sql ~ ", coalesce(" ~ layer ~ ", '{}'))" -%}
    {%- endfor -%}
    cast({{ merged.sql }} as {{ dbt.type_string() }})
{%- endmacro %}
{% macro bigquery__labels_merged(layers) -%}
    {%- if var('bq_emulator', false) -%}{{ return(emulator_labels_merged(layers)) }}{%- endif -%}
    (
        select to_json_string(json_object(array_agg(label_key order by label_key), array_agg(value order by label_key)))
        from (
            select
                label_key,
                array_agg(json_value(layer.labels, concat('$."', label_key, '"')) order by layer.precedence desc
                          limit 1)[offset(0)] as value
            from unnest([
                {%- for layer in layers %}
                struct({{ loop.index }} as precedence, parse_json(coalesce({{ layer }}, '{}')) as labels)
                {{- ',' if not loop.last }}
                {%- endfor %}
            ]) as layer
            cross join unnest(json_keys(layer.labels, 1)) as label_key
            group by label_key
        )
    )
{%- endmacro %}
{#- EMULATOR ONLY (var bq_emulator): the same merge in BigQuery SQL the bqemulator can run. It fails on a struct
    field computed from an outer column (`parse_json(coalesce(layer, '{}'))`: DuckDB's struct_pack wants names) and
    on json_object(keys array, values array); here the structs hold the text, and the object is written with
    string_agg, keys in order (the same text as to_json_string of the JSON object). -#}
{% macro emulator_labels_merged(layers) -%}
    (
        select concat('{', coalesce(string_agg(concat(to_json_string(label_key), ':', to_json_string(value)), ','
                                               order by label_key), ''), '}')
        from (
            select
                label_key,
                array_agg(json_value(parse_json(layer.labels), concat('$."', label_key, '"'))
                          order by layer.precedence desc limit 1)[offset(0)] as value
            from unnest([
                {%- for layer in layers %}
                struct({{ loop.index }} as precedence, coalesce({{ layer }}, '{}') as labels)
                {{- ',' if not loop.last }}
                {%- endfor %}
            ]) as layer
            cross join unnest(json_keys(parse_json(layer.labels), 1)) as label_key
            group by label_key
        )
    )
{%- endmacro %}
