{#- Relations that share key columns (a price context, a day and source, a pod-day): each key list is written
    once in the model, and these spell out what a join does with it. -#}

{#- `l.k1 = r.k1 and l.k2 = r.k2 ...`: the rows of two relations that agree on every key column. -#}
{% macro keys_match(left, right, columns) -%}
    {%- for c in columns -%}
        {{ left }}.{{ c }} = {{ right }}.{{ c }}{{ ' and ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- `a.k1, a.k2, ...`: key columns of one relation (a partition, a group or a select list). -#}
{% macro qualified(alias, columns) -%}
    {%- for c in columns -%}{{ alias }}.{{ c }}{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}

{#- Two aggregates side by side (a full outer join on their shared keys): one row for every key either side has,
    the keys from whichever side has the row, then the left's and the right's columns. A `zero_fill` column
    counts or sums something and is 0, not null, where its side has no row. `left` and `right` are CTE names. -#}
{% macro side_by_side(left, right, keys, left_columns, right_columns, zero_fill=[]) -%}
select
    {% for k in keys -%}
    coalesce({{ left }}.{{ k }}, {{ right }}.{{ k }}) as {{ k }},
    {% endfor -%}
    {% for side, columns in [(left, left_columns), (right, right_columns)] -%}
    {% for c in columns -%}
    {{ 'coalesce(' ~ side ~ '.' ~ c ~ ', 0)' if c in zero_fill else side ~ '.' ~ c }} as {{ c }}
    {{- ',' if not (loop.last and side == right) }}
    {% endfor -%}
    {% endfor -%}
from {{ left }}
full outer join {{ right }}
    on {{ keys_match(left, right, keys) }}
{%- endmacro %}
