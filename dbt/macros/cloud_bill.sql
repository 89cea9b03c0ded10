{#- The columns the raw loader (ingest/, Dagster cloud_bill) adds to every landed bill row, CUR and FOCUS alike:
    which bill source, format, billing account, period and manifest delivery the row came from. A delivery
    replaces one (source, account, period) partition, so both bill staging models pass them through unchanged. -#}
{% macro bill_delivery_columns() -%}
    {{ return(['source_id', 'bill_format', 'billing_account_id', 'billing_period', 'delivery_id']) }}
{%- endmacro %}
