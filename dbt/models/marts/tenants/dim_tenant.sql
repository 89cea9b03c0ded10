select
    cast(tenant_id as {{ dbt.type_string() }}) as tenant_id,
    cast(tenant_name as {{ dbt.type_string() }}) as tenant_name,
    cast(plan as {{ dbt.type_string() }}) as plan
from {{ ref('stg_business__tenants') }}
