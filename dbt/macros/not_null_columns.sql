{#- No row of the model has a null in any of `columns`: dbt's `not_null`, for several columns in one test. A model
    declares its never-null columns in one model-level test (named not_null_<model> in its YAML), not one test per
    column: each dbt node costs a daily run its own compile, query and Dagster check, and one scan reads them all.
    A failing row shows each listed column, so the null one is plain. The run's window applies as to any data test
    (macro get_where_subquery). -#}
{% test not_null_columns(model, columns) %}
select {{ columns | join(', ') }}
from {{ model }}
where {% for column in columns %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{% endtest %}
