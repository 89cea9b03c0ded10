{{ config(materialized='table') }}
{#- Every UTC day a charge can touch; charges are spread over it (docs/money-and-time.md). -#}
{{ calendar_days('2015-01-01', '2041-01-01') }}
