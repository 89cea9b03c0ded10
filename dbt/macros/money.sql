{#- Money is DECIMAL(38,9) everywhere (BigQuery NUMERIC has exactly that scale). -#}
{% macro money_type() -%}
    {{ return(adapter.dispatch('money_type', 'unitcost')()) }}
{%- endmacro %}
{% macro default__money_type() -%}decimal(38, 9){%- endmacro %}
{#- bq_emulator (EMULATOR ONLY, warehouse.emulator): the bqemulator turns an unparameterized NUMERIC into DuckDB's
    DECIMAL(18, 3) and BIGNUMERIC into DECIMAL(38, 5), dropping digits, so there every cast names its precision and
    scale (the same values on BigQuery, which the real path keeps unparameterized). -#}
{% macro bigquery__money_type() -%}{{ 'numeric(38, 9)' if var('bq_emulator', false) else 'numeric' }}{%- endmacro %}

{% macro to_money(expr) -%}
    {{ decimal_cast(expr, money_type()) }}
{%- endmacro %}

{#- A cast to a decimal type named with its precision and scale (`numeric(38, 9)`, `decimal(18, 9)`): `cast`.
    bq_emulator (EMULATOR ONLY, warehouse.emulator): `safe_cast`. The bqemulator re-writes a statement as BigQuery SQL
    through sqlglot before running it whenever it reads a view (it inlines the view's query) or one of its other
    rewrites fires, and sqlglot's BigQuery writer drops the precision and scale of every `cast` (not of `safe_cast`):
    `cast(0.000000001 as decimal(38, 9))` becomes `cast(0.000000001 as numeric)`, DuckDB's DECIMAL(18, 3) there, i.e.
    0.000 (README.md, Running on BigQuery). The values are the same; a value that does not fit reads NULL there
    instead of failing, which the tests' exact comparison with DuckDB would show. -#}
{% macro decimal_cast(expr, type) -%}
    {{ return(adapter.dispatch('decimal_cast', 'unitcost')(expr, type)) }}
{%- endmacro %}
{% macro default__decimal_cast(expr, type) -%}cast({{ expr }} as {{ type }}){%- endmacro %}
{% macro bigquery__decimal_cast(expr, type) -%}
    {{- 'safe_cast' if var('bq_emulator', false) else 'cast' }}({{ expr }} as {{ type }})
{%- endmacro %}

{#- Integer division truncated toward zero (DuckDB `//` and BigQuery DIV both truncate). On BigQuery each operand and
    the call itself are parenthesized: the same value there, and the bqemulator (which writes div(a, b) as DuckDB's
    `a // b` without parentheses, `//` binding like `*`) then reads `(n - 1) * div(a, n)` and `div(x + y, 2 * m)` as
    written instead of `(n - 1) * a // n` and `x + y // 2 * m`. -#}
{% macro int_div_trunc(a, b) -%}
    {{ return(adapter.dispatch('int_div_trunc', 'unitcost')(a, b)) }}
{%- endmacro %}
{% macro default__int_div_trunc(a, b) -%}(({{ a }}) // ({{ b }})){%- endmacro %}
{% macro bigquery__int_div_trunc(a, b) -%}(div(({{ a }}), ({{ b }}))){%- endmacro %}

{#- An integer count of nano-dollars back to money, without a float or a DECIMAL ÷ DECIMAL (DOUBLE in DuckDB). -#}
{% macro nano_to_money(expr) -%}
    {{ decimal_cast(decimal_cast(expr, nano_count_type()) ~ ' * ' ~ decimal_cast('0.000000001', 'decimal(38, 9)'),
                    money_type()) }}
{%- endmacro %}

{#- A whole count of nano-dollars: DECIMAL(38, 0); BigQuery's NUMERIC holds 29 digits before the point, so there the
    38-digit integer is a BIGNUMERIC. -#}
{% macro nano_count_type() -%}
    {{ return(adapter.dispatch('nano_count_type', 'unitcost')()) }}
{%- endmacro %}
{% macro default__nano_count_type() -%}decimal(38, 0){%- endmacro %}
{% macro bigquery__nano_count_type() -%}{{ 'bignumeric(38, 0)' if var('bq_emulator', false) else 'bignumeric' }}{%- endmacro %}

{#- A raw decimal with more than 9 places (a policy share, a per-token price) as the models read it. Raw holds it as
    DECIMAL(38, `scale`) on DuckDB and BIGNUMERIC on BigQuery; EMULATOR ONLY (bq_emulator), raw holds its exact text
    (lib/warehouse_bigquery.py bigquery_type: the bqemulator can neither create a BIGNUMERIC column nor keep its
    digits), read back here. -#}
{% macro raw_decimal(column, scale) -%}
    {{ return(adapter.dispatch('raw_decimal', 'unitcost')(column, scale)) }}
{%- endmacro %}
{% macro default__raw_decimal(column, scale) -%}{{ column }}{%- endmacro %}
{% macro bigquery__raw_decimal(column, scale) -%}
    {%- if var('bq_emulator', false) -%}{{ decimal_cast(column, 'bignumeric(38, ' ~ scale ~ ')') }}{%- else -%}{{ column }}{%- endif -%}
{%- endmacro %}

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
