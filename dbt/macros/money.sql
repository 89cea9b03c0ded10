{#- Money is DECIMAL(38,9) everywhere (BigQuery NUMERIC has exactly that scale). -#}
{% macro money_type() -%}
    {{ return(adapter.dispatch('money_type', 'unitcost')()) }}
{%- endmacro %}
{% macro default__money_type() -%}decimal(38, 9){%- endmacro %}
{% macro bigquery__money_type() -%}numeric{%- endmacro %}

{% macro to_money(expr) -%}
    cast({{ expr }} as {{ money_type() }})
{%- endmacro %}

{#- Integer division truncated toward zero (DuckDB `//` and BigQuery DIV both truncate). -#}
{% macro int_div_trunc(a, b) -%}
    {{ return(adapter.dispatch('int_div_trunc', 'unitcost')(a, b)) }}
{%- endmacro %}
{% macro default__int_div_trunc(a, b) -%}(({{ a }}) // ({{ b }})){%- endmacro %}
{% macro bigquery__int_div_trunc(a, b) -%}div({{ a }}, {{ b }}){%- endmacro %}

{#- An integer count of nano-dollars back to money, without a float or a DECIMAL ÷ DECIMAL (DOUBLE in DuckDB). -#}
{% macro nano_to_money(expr) -%}
    cast(cast({{ expr }} as {{ nano_count_type() }}) * cast(0.000000001 as decimal(38, 9)) as {{ money_type() }})
{%- endmacro %}

{#- A whole count of nano-dollars: DECIMAL(38, 0); BigQuery's NUMERIC holds 29 digits before the point, so there the
    38-digit integer is a BIGNUMERIC. -#}
{% macro nano_count_type() -%}
    {{ return(adapter.dispatch('nano_count_type', 'unitcost')()) }}
{%- endmacro %}
{% macro default__nano_count_type() -%}decimal(38, 0){%- endmacro %}
{% macro bigquery__nano_count_type() -%}bignumeric{%- endmacro %}

{#- A split's weights: 64-bit floating point (DuckDB DOUBLE, BigQuery FLOAT64; dbt's type_float is 32-bit on DuckDB). -#}
{% macro weight_type() -%}
    {{ return(adapter.dispatch('weight_type', 'unitcost')()) }}
{%- endmacro %}
{% macro default__weight_type() -%}double{%- endmacro %}
{% macro bigquery__weight_type() -%}float64{%- endmacro %}

{#- A ratio or a split's weight as a 64-bit float (DuckDB `double`, BigQuery `float64`): the one float cast models use. -#}
{% macro to_float(expr) -%}
    cast({{ expr }} as {{ weight_type() }})
{%- endmacro %}
