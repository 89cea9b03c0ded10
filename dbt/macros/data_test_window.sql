{#- A data test reads only the run's days: dbt wraps every generic test's relation in get_where_subquery (here
    replacing dbt's own), and a test on a relation with a `usage_date` column (as its YAML documents it) is limited
    to the run's window - widened by the model's meta run_window_days_after, the days it rebuilds after the window
    (macro day_partitioned_incremental) - and to its own `where` config, if any. So the checks of a daily run read
    the days it built, not the whole history; every day built is checked by the run that built it. Without a window
    (a plain `dbt build`), a test reads every row, as dbt's own macro does.
    A uniqueness test whose key has no usage_date (an LLM event id) reads every day, since a new day's key may
    repeat an old day's, but only the rows whose key occurs in the window's days: a duplicate among old days only
    was found by the run that built them, and DuckDB finds the window's keys in one pass over the key column
    (a semi join) instead of grouping every key of the history (null keys are left out, as dbt's `unique` does).
    A key of several columns reads every row: a tuple IN is not portable to BigQuery. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set tested = data_test_attached_node() -%}
    {%- if execute and tested is not none and 'usage_date' in (tested.get('columns') or {}) -%}
        {%- set days_after = ((tested.get('config') or {}).get('meta') or {}).get('run_window_days_after', 0) -%}
        {%- set window = in_run_window('usage_date', days_after=days_after) -%}
        {%- set key = data_test_key_spanning_days() -%}
        {%- if window | trim != 'true' and key | length == 1 -%}
            {%- set own = (conditions | join(' and ') ~ ' and ') if conditions else '' -%}
            {%- do conditions.append(key[0] ~ ' in (select ' ~ key[0] ~ ' from ' ~ relation ~ ' where ' ~ own
                                     ~ '(' ~ window ~ '))') -%}
        {%- elif window | trim != 'true' and not key -%}
            {%- do conditions.append('(' ~ window ~ ')') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- The model, seed or source (manifest node) the running data test is attached to; none when it has none. -#}
{% macro data_test_attached_node() -%}
    {%- set unique_id = model.get('attached_node') if model is mapping else none -%}
    {%- if not unique_id or graph is not defined -%}{{ return(none) }}{%- endif -%}
    {{ return(graph.nodes.get(unique_id) or graph.sources.get(unique_id)) }}
{%- endmacro %}

{#- The key columns of a uniqueness test (unique, dbt_utils.unique_combination_of_columns) whose key leaves out
    usage_date; an empty list for any other test. -#}
{% macro data_test_key_spanning_days() -%}
    {%- set test = (model.get('test_metadata') if model is mapping else none) or {} -%}
    {%- set kwargs = test.get('kwargs') or {} -%}
    {%- if test.get('name') == 'unique' -%}
        {%- set key = [kwargs.get('column_name')] -%}
    {%- elif test.get('name') == 'unique_combination_of_columns' -%}
        {%- set key = kwargs.get('combination_of_columns') or [] -%}
    {%- else -%}
        {%- set key = [] -%}
    {%- endif -%}
    {{ return([] if 'usage_date' in key else key) }}
{%- endmacro %}
