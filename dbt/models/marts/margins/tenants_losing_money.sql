{{ config(materialized='view') }}
{#- The tenant-months whose gross margin is negative, with the cost categories that drive the loss: a view over
    tenant_gross_margin_monthly, so it is never out of step with it. The top category is the largest of the six
    category costs (ties: the order of cost_categories()). -#}
{%- set categories = cost_categories() %}
with losing as (
    select * from {{ ref('tenant_gross_margin_monthly') }}
    where gross_margin_usd < 0
),

ranked as (
    select
        losing.*,
        greatest({% for c in categories %}{{ c }}_cost_usd{{ ', ' if not loop.last }}{% endfor %})
            as top_cost_category_usd
    from losing
),

drivers as (
    select
        ranked.*,
        case
        {%- for c in categories %}
            when {{ c }}_cost_usd = top_cost_category_usd then '{{ c }}'
        {%- endfor %}
        end as top_cost_category,
        case when total_cost_usd > 0
             then {{ to_float("top_cost_category_usd") }} / {{ to_float("total_cost_usd") }} end as top_cost_category_share,
        case when total_cost_usd > 0
             then {{ to_float("ai_tokens_cost_usd") }} / {{ to_float("total_cost_usd") }} end as llm_cost_share
    from ranked
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from drivers
