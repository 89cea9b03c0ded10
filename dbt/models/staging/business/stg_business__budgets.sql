with source as (
    select * from {{ source('raw', 'budgets') }}
)

-- rows loaded before budgets.csv had a scope column cap the feature's AI cost, the scope's default
select usage_month, feature_id, coalesce(scope, 'ai') as scope, budget_usd from source
