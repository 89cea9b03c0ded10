{#- The tenants of the business data (tenants.csv), the dimension every mart's tenant_id points to. -#}
with tenants as (
    select tenant_id, tenant_name, plan from {{ ref('stg_business__tenants') }}
)

-- the contract (YAML) states each column and its type
select
    {{ contract_columns() }}
from tenants
