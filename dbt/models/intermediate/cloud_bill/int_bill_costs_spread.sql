{{ config(**day_partitioned_incremental()) }}
{#-
  Each bill row's effective, billed and list cost as shares of the UTC days its charge period [start, end)
  touches. Shares are exact: in nano-dollars each day but the last gets trunc(a / n), the last day the rest
  (docs/allocation.md). Hourly and daily rows touch one day. Split allocation rows are excluded here: their
  cost re-expresses the parent instance's rows.
  Rebuilt for the run's days only (a month of hourly CUR rows is millions of rows): the rows whose charge period
  touches the window, and their shares of the window's days. A row's share of a day depends on the row alone, so
  the days outside the window keep theirs.
-#}
{%- set window = run_window_bounds() -%}
{%- set unioned = ref('int_bill_line_items_unioned') %}
with bill_rows as (
    {%- if window is none %}
    select * from {{ unioned }} where not is_split_line_item
    {%- else %}
    {#- a superset of the rows touching the window, as two conjunctions on the raw columns, so that each is pruned
        as the bill is scanned (a row group's min/max): the rows with a charge period by its end, the rows of an
        instant (no end, or an end not after the start) by their start. One disjunction over both read every row
        group of the bill, and a daily run's read grew with the bill's history. #}
    {%- set after_start = "cast(" ~ dbt.dateadd('day', -1, window[0]) ~ " as " ~ dbt.type_timestamp() ~ ")" %}
    {%- set before_end = "cast(" ~ dbt.dateadd('day', 2, window[1]) ~ " as " ~ dbt.type_timestamp() ~ ")" %}
    select * from {{ unioned }}
    where not is_split_line_item and charge_period_end > charge_period_start
        and charge_period_end >= {{ after_start }} and charge_period_start < {{ before_end }}
    union all
    select * from {{ unioned }}
    where not is_split_line_item and (charge_period_end is null or charge_period_end <= charge_period_start)
        and charge_period_start >= {{ after_start }} and charge_period_start < {{ before_end }}
    {%- endif %}
),

items as (
    select
        *,
        cast(charge_period_start as date) as first_day,
        case
            when charge_period_end is null or charge_period_end <= charge_period_start
                then cast(charge_period_start as date)
            when cast(charge_period_end as date) > cast(charge_period_start as date)
                 and charge_period_end = cast(cast(charge_period_end as date) as {{ dbt.type_timestamp() }})
                then cast({{ dbt.dateadd('day', -1, 'cast(charge_period_end as date)') }} as date)
            else cast(charge_period_end as date)
        end as last_day
    from bill_rows
),

sized as (
    select
        *,
        {{ dbt.datediff('first_day', 'last_day', 'day') }} + 1 as n_days,
        cast(effective_cost * 1000000000 as {{ dbt.type_bigint() }}) as effective_nano,
        cast(billed_cost * 1000000000 as {{ dbt.type_bigint() }}) as billed_nano,
        cast(list_cost * 1000000000 as {{ dbt.type_bigint() }}) as list_nano
    from items
    {%- if window is not none %}
    where last_day >= {{ window[0] }} and first_day <= {{ window[1] }}
    {%- endif %}
),

spread as (
    select
        sized.*,
        days.usage_date,
        days.usage_date = sized.last_day as is_last_day
    from sized
    inner join {{ ref('int_calendar_days_enumerated') }} as days
        on days.usage_date between sized.first_day and sized.last_day
    where {{ in_run_window('days.usage_date') }}
),

{%- set share = "case when is_last_day then {n} - (n_days - 1) * " ~ int_div_trunc("{n}", "n_days") ~ " else " ~ int_div_trunc("{n}", "n_days") ~ " end" %}

shares as (
    select
        usage_date,
        source_id,
        bill_format,
        billing_account_id,
        billing_period,
        line_item_id,
        line_item_type,
        service_code,
        service_category,
        usage_type,
        operation,
        resource_id,
        region,
        billing_currency,
        tags,
        charge_period_start,
        charge_period_end,
        n_days,
        {{ nano_to_money(share.format(n='effective_nano')) }} as effective_cost,
        {{ nano_to_money(share.format(n='billed_nano')) }} as billed_cost,
        {{ nano_to_money(share.format(n='list_nano')) }} as list_cost
    from spread
)

select * from shares
