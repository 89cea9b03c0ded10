{#- The columns the raw loader (ingest/, Dagster cloud_bill) adds to every landed bill row, CUR and FOCUS alike:
    which bill source, format, billing account, period and manifest delivery the row came from. A delivery
    replaces one (source, account, period) partition, so both bill staging models pass them through unchanged. -#}
{% macro bill_delivery_columns() -%}
    {{ return(['source_id', 'bill_format', 'billing_account_id', 'billing_period', 'delivery_id']) }}
{%- endmacro %}

{#- What makes bill lines one kind of line, classified once (int_bill_lines_classified; seeds/cost_categories.csv):
    the format says which vocabulary the others are in — a CUR row by product code, usage type and operation, a
    FOCUS row by ServiceCategory and ServiceName. Nulls are '' in the classification, so a row finds its kind with
    bill_line_kind_matches. -#}
{% macro bill_line_kind() -%}
    {{ return(['bill_format', 'service_category', 'service_code', 'usage_type', 'operation', 'line_item_type']) }}
{%- endmacro %}

{#- `kind.c = coalesce(row.c, '') and ...`: the classified kind (alias `kind`) of a bill row (alias `row`). -#}
{% macro bill_line_kind_matches(kind, row) -%}
    {%- for c in bill_line_kind() -%}
        {{ kind }}.{{ c }} = coalesce({{ row }}.{{ c }}, ''){{ ' and ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
