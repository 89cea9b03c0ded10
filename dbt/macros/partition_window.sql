{#- The day window a partitioned run rebuilds (inclusive), from one of:
    - vars start_date/end_date (the BigQuery path, where a model's day partitions are fixed when dbt parses it, and
      a hand-run `dbt build --vars`);
    - the control table raw.run_window, when var run_window_table is true (the DuckDB path: the run writes its
      window there before dbt starts - defs/dbt/run_window.py - so the vars, and with them dbt's saved parse, stay
      the same from run to run);
    - neither: every day is in the window.
    `days_before` / `days_after` widen it: a mart whose day D reads the days before D (a trailing average) is
    affected by the run's days on the days after them. -#}
{% macro in_run_window(date_column, days_before=0, days_after=0) -%}
    {%- set window = run_window_bounds() -%}
    {%- if window is none -%}
        true
    {%- else -%}
        {%- set first, last = window -%}
        {{ date_column }} between {{ dbt.dateadd('day', -days_before, first) if days_before else first }}
            and {{ dbt.dateadd('day', days_after, last) if days_after else last }}
    {%- endif -%}
{%- endmacro %}

{#- (first, last) as SQL date expressions, or none when every day is in the window. While a model runs, the control
    table's days are read and written as literals (the SQL is the same as with vars, and DuckDB prunes on them); when
    dbt parses (a test's `where` config is rendered then), they are subqueries on the table, read when the test runs. -#}
{% macro run_window_bounds() -%}
    {%- set start = var('start_date', none) -%}
    {%- set end = var('end_date', none) -%}
    {%- if start and end -%}
        {{ return(("cast('" ~ start ~ "' as date)", "cast('" ~ end ~ "' as date)")) }}
    {%- endif -%}
    {%- if not var('run_window_table', false) -%}{{ return(none) }}{%- endif -%}
    {%- if not execute -%}
        {{ return(("(select start_date from " ~ run_window_table() ~ ")",
                   "(select end_date from " ~ run_window_table() ~ ")")) }}
    {%- endif -%}
    {%- set row = run_window_row() -%}
    {{ return(("cast('" ~ row[0] ~ "' as date)", "cast('" ~ row[1] ~ "' as date)")) }}
{%- endmacro %}

{#- The control table the run writes before dbt: one row (start_date, end_date, run_id). -#}
{% macro run_window_table() -%}raw.run_window{%- endmacro %}

{#- The control table's one row as (first day, last day, run id) strings; a missing or not one-row table is an error
    naming it, not a build over every day. -#}
{% macro run_window_row() -%}
    {%- set rows = run_query("select strftime(start_date, '%Y-%m-%d'), strftime(end_date, '%Y-%m-%d'), run_id from "
                             ~ run_window_table()).rows -%}
    {%- if rows | length != 1 -%}
        {{ exceptions.raise_compiler_error(run_window_table() ~ " holds " ~ (rows | length) ~ " rows, not the run's one") }}
    {%- endif -%}
    {%- set first = modules.datetime.date.fromisoformat((rows[0][0] | string)[:10]) -%}
    {%- set last = modules.datetime.date.fromisoformat((rows[0][1] | string)[:10]) -%}
    {{ return((first.isoformat(), last.isoformat(), rows[0][2] | string)) }}
{%- endmacro %}

{#- The run building the marts (marts.pipeline_runs leaves it out): var current_run_id, else the control table's. -#}
{% macro current_run_id() -%}
    {%- set given = var('current_run_id', '') -%}
    {%- if given or not (var('run_window_table', false) and execute) -%}{{ return(given) }}{%- endif -%}
    {{ return(run_window_row()[2]) }}
{%- endmacro %}

{#- For incremental day-partitioned models: before inserting the run's rows, delete every day of the window (widened
    by `days_after`, see in_run_window), so a day whose source rows all disappeared (a restated month, a removed file)
    leaves no stale rows behind. -#}
{% macro delete_run_window(date_column='usage_date', days_after=0) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_run_window(date_column, days_after=days_after) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The config of a model rebuilt day by day: each run replaces the days of its window (widened by `days_after`).
    DuckDB deletes the window's days before appending the run's rows (delete_run_window). BigQuery partitions the
    table by day and overwrites exactly the window's day partitions in one statement (insert_overwrite, static
    partitions), so a day whose rows all disappeared is emptied too; without a window, every day the run produced. -#}
{% macro day_partitioned_incremental(days_after=0) -%}
    {%- set common = {'materialized': 'incremental', 'on_schema_change': 'fail',
                      'meta': {'run_window_days_after': days_after}} -%}
    {%- if target.type == 'bigquery' -%}
        {{ return(dict(common, incremental_strategy='insert_overwrite',
                       partition_by={'field': 'usage_date', 'data_type': 'date', 'granularity': 'day'},
                       partitions=run_window_partitions(days_after))) }}
    {%- else -%}
        {{ return(dict(common, incremental_strategy='append',
                       pre_hook="{{ delete_run_window('usage_date', days_after=" ~ days_after ~ ") }}")) }}
    {%- endif -%}
{%- endmacro %}

{#- The window's days (vars start_date .. end_date, plus `days_after`) as BigQuery date literals; none without a
    window. -#}
{% macro run_window_partitions(days_after=0) -%}
    {%- set start = var('start_date', none) -%}
    {%- set end = var('end_date', none) -%}
    {%- if not (start and end) -%}{{ return(none) }}{%- endif -%}
    {%- set first = modules.datetime.date.fromisoformat(start | string) -%}
    {%- set last = modules.datetime.date.fromisoformat(end | string) + modules.datetime.timedelta(days=days_after) -%}
    {%- set days = [] -%}
    {%- for offset in range((last - first).days + 1) -%}
        {%- do days.append("date '" ~ (first + modules.datetime.timedelta(days=offset)).isoformat() ~ "'") -%}
    {%- endfor -%}
    {{ return(days) }}
{%- endmacro %}

{#- The config of a model keyed by billing period (YYYY-MM): on DuckDB each run replaces the periods its window's days
    fall in (a restated month widens the window to all of its days: defs/dbt/run_window.py), deleting them before it
    appends (delete_run_periods), so a period whose rows all disappeared leaves none behind. On BigQuery it stays a
    table: its partitions are days. -#}
{% macro billing_period_incremental(period_column='billing_period') -%}
    {%- if target.type == 'bigquery' -%}{{ return({'materialized': 'table'}) }}{%- endif -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'append', 'on_schema_change': 'fail',
               'pre_hook': "{{ delete_run_periods('" ~ period_column ~ "') }}"}) }}
{%- endmacro %}

{#- The billing periods (YYYY-MM strings) of the run window's days, as a condition on `period_column`; true without a
    window, or on a build that is not incremental (the first, a full refresh). DuckDB only (billing_period_incremental
    is a table on BigQuery). -#}
{% macro in_run_periods(period_column='billing_period') -%}
    {%- set window = run_window_bounds() if is_incremental() else none -%}
    {%- if window is none -%}
        true
    {%- else -%}
        {{ period_column }} between strftime({{ window[0] }}, '%Y-%m') and strftime({{ window[1] }}, '%Y-%m')
    {%- endif -%}
{%- endmacro %}

{% macro delete_run_periods(period_column='billing_period') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_run_periods(period_column) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
