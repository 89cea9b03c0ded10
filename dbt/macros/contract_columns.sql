{#- A contracted mart's output: every column of its YAML contract, in the contract's order, cast to the declared
    data_type (string, bigint, boolean, double and decimal(38,9) through the cross-database type macros). The YAML
    names types both warehouses know (string, not varchar; a float column is double on DuckDB, float64 on
    BigQuery), since dbt writes them into BigQuery's DDL as they are. A mart's column
    types are written once, in its contract, and the SQL cannot drift from them. The columns are read by name from the
    relation the select reads (compute derived columns in a CTE before it).
    A dbt unit test renders the model as a node of its own, without the contract's columns: there the relation's
    columns pass as they are (the test compares values; `dbt build` checks the contract). -#}
{% macro contract_columns() -%}
    {%- set types = {'string': dbt.type_string(), 'bigint': dbt.type_bigint(), 'boolean': dbt.type_boolean(),
                     'decimal(38,9)': money_type(), 'double': weight_type()} -%}
    {%- if model['resource_type'] == 'unit_test' -%}
        *
    {%- else -%}
        {%- if execute and not model['columns'] -%}
            {{ exceptions.raise_compiler_error(model['name'] ~ ': contract_columns() needs its columns in the YAML') }}
        {%- endif -%}
        {%- for column in model['columns'].values() -%}
            {%- if execute and not column['data_type'] -%}
                {{ exceptions.raise_compiler_error(model['name'] ~ '.' ~ column['name'] ~ ': no data_type in the YAML') }}
            {%- endif -%}
            {%- if column['data_type'] == 'decimal(38,9)' -%}
                {#- money through to_money: on the emulator its cast keeps the scale (money.sql, decimal_cast) -#}
                {{ to_money(column['name']) }} as {{ column['name'] }}
            {%- else -%}
                cast({{ column['name'] }} as {{ types.get(column['data_type'], column['data_type']) }}) as {{ column['name'] }}
            {%- endif -%}
            {{- ',\n    ' if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
