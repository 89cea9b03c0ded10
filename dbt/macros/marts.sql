{#- What the analyst-facing marts share (docs/marts.md): the days the ledger has built, the cost categories they
    pivot on, the sentinel owners they leave out, and an exact pro-rata of an amount over days. -#}

{#- The days the ledger holds: a day is "built" once a run has materialized it. Marts that compare days (anomalies,
    budget run rates, prorated revenue) count only these, so a partial backfill never reads an unbuilt day as $0.
    A day whose every source was empty has no ledger row and counts as unbuilt. -#}
{% macro built_days() -%}
    select distinct usage_date from {{ ref('cost_ledger') }}
{%- endmacro %}

{#- The ledger's cost categories (cost_ledger.category), in the order the wide marts list their columns. -#}
{% macro cost_categories() -%}
    {{ return(['compute', 'storage', 'network', 'database', 'ai_tokens', 'other']) }}
{%- endmacro %}

{#- The ledger's cost types (cost_ledger.cost_type). -#}
{% macro cost_types() -%}
    {{ return(['direct', 'shared', 'idle', 'unallocated']) }}
{%- endmacro %}

{#- True for a real owner: the sentinels __idle__ and __unallocated__ (docs/marts.md) are nobody's cost. -#}
{% macro is_real_owner(column) -%}
    {{ column }} not in ('__idle__', '__unallocated__')
{%- endmacro %}

{#- amount × numerator ÷ denominator, rounded half away from zero to the nano-dollar, exactly: in integer
    nano-dollars, never through a float or a DECIMAL ÷ DECIMAL (DOUBLE in DuckDB). The products stay in 64 bits
    while |amount| × numerator is under $4.6 billion (a monthly amount under $148 million times 31 days). -#}
{% macro prorate_money(amount, numerator, denominator) -%}
    {%- set nano = 'cast((' ~ amount ~ ') * 1000000000 as ' ~ dbt.type_bigint() ~ ')' -%}
    {{ nano_to_money('sign(' ~ nano ~ ') * ' ~ int_div_trunc(
        'abs(' ~ nano ~ ') * (' ~ numerator ~ ') * 2 + (' ~ denominator ~ ')', '2 * (' ~ denominator ~ ')')) }}
{%- endmacro %}

{#- The number of days of the month starting on `month_start` (a DATE). -#}
{% macro days_in_month(month_start) -%}
    {{ dbt.datediff(month_start, dbt.dateadd('month', 1, month_start), 'day') }}
{%- endmacro %}

{#- The first day of the month (or quarter) of a date, as a DATE on every warehouse. -#}
{% macro period_start(period, date_column) -%}
    cast({{ dbt.date_trunc(period, date_column) }} as date)
{%- endmacro %}

{#- No two rows share the combination of `combination_of_columns` (a mart's grain). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
