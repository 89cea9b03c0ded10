{{ config(materialized='table') }}
{#- Every UTC day a charge can touch; charges are spread over it (docs/money-and-time.md). -#}
with days as (
    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2041-01-01' as date)") }}
)

select cast(date_day as date) as usage_date from days
