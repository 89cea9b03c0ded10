{{ config(materialized='table') }}
{#-
  Every dollar of the run's days, before any sharing, with the owner it has on its own and what must happen to
  it next (docs/allocation.md):
    allocation = direct | idle | unallocated  → final as is
               = shared_workload               → split by requests of its feature (int_shared_workloads_split)
               = shared_pool                   → split by tenants' direct cost (int_shared_pools_split)
-#}

with node_instances as (
    select distinct instance_id from {{ ref('int_node_instances_matched') }}
),

bill as (
    select
        b.*,
        cls.category,
        cls.shared_rule_id,
        (n.instance_id is not null
            and b.operation like 'RunInstances%'
            and coalesce(b.usage_type, '') not like '%DataXfer%') as is_node_compute,
        {{ first_tag('b.tags', var('tenant_tag')) }} as tag_tenant,
        {{ first_tag('b.tags', var('feature_tag')) }} as tag_feature
    from {{ ref('int_bill_costs_spread') }} as b
    left join {{ ref('int_bill_lines_classified') }} as cls
        on {{ bill_line_kind_matches('cls', 'b') }}
    left join node_instances as n
        on n.instance_id = b.resource_id
    where {{ in_run_window('b.usage_date') }}
),

cloud as (
    select
        usage_date,
        source_id,
        'cloud' as cost_source,
        category,
        tag_tenant as owner_tenant_id,
        {{ owned_feature('tag_tenant', 'tag_feature') }} as owner_feature_id,
        {#- untagged model inference billed on the CUR (Bedrock): the logged calls say whose it is #}
        {{ allocation_and_rule(owner_branches('tag_tenant', 'tag_feature') + [
            ("category = 'ai_tokens'", "'llm_calls_on_bill'", "'bedrock_calls'"),
            ('shared_rule_id is not null', "'shared_pool'", 'shared_rule_id'),
            (none, "'unallocated'", "'untagged'"),
        ]) }},
        effective_cost as amount_usd
    from bill
    where not is_node_compute
),

shared_namespaces as (
    select match_value as namespace, min(rule_id) as rule_id
    from {{ ref('allocation_rules') }}
    where applies_to = 'k8s_namespace'
    group by match_value
),

pods as (
    select
        c.usage_date,
        c.source_id,
        c.recipient_kind,
        c.allocated_usd,
        o.tenant_id,
        o.feature_id,
        sn.rule_id as shared_namespace_rule
    from {{ ref('int_pod_costs_reconciled') }} as c
    left join {{ ref('int_pod_owners_resolved') }} as o
        on c.recipient_kind = 'pod' and o.cluster = c.cluster and o.usage_date = c.usage_date
        and o.namespace = c.namespace and o.pod = c.pod
    left join shared_namespaces as sn
        on c.recipient_kind = 'pod' and sn.namespace = c.namespace
    where {{ in_run_window('c.usage_date') }}
),

kubernetes as (
    select
        usage_date,
        source_id,
        case when recipient_kind = 'no_opencost' then 'cloud' else 'kubernetes' end as cost_source,
        'compute' as category,
        case when recipient_kind = 'idle' then '__idle__' else tenant_id end as owner_tenant_id,
        case when recipient_kind = 'idle' then '__idle__' else {{ owned_feature('tenant_id', 'feature_id') }} end
            as owner_feature_id,
        {{ allocation_and_rule([
            ("recipient_kind = 'idle'", "'idle'", "'node_idle'"),
            ("recipient_kind = 'no_opencost'", "'unallocated'", "'no_opencost'"),
        ] + owner_branches('tenant_id', 'feature_id') + [
            ('shared_namespace_rule is not null', "'shared_pool'", 'shared_namespace_rule'),
            (none, "'unallocated'", "'unlabeled_pod'"),
        ]) }},
        allocated_usd as amount_usd
    from pods
),

llm as (
    -- each provider-day's LLM truth in pieces (int_llm_costs_reconciled): every call's own cost to its owner, and the
    -- gap to the invoice (rule llm_invoice_residual) split over the same calls by their cost
    select
        r.usage_date,
        r.source_id,
        'llm' as cost_source,
        'ai_tokens' as category,
        r.tenant_id as owner_tenant_id,
        {{ owned_feature('r.tenant_id', 'r.feature_id') }} as owner_feature_id,
        {{ allocation_and_rule([
            ("r.component = 'invoice_residual'", none, "'llm_invoice_residual'"),
        ] + owner_branches('r.tenant_id', 'r.feature_id') + [
            (none, "'unallocated'", "'untagged'"),
        ]) }},
        r.amount_usd
    from {{ ref('int_llm_costs_reconciled') }} as r
    where {{ in_run_window('r.usage_date') }}
),

unioned as (
    select * from cloud
    union all
    select * from kubernetes
    union all
    select * from llm
)

select
    usage_date,
    source_id,
    cost_source,
    category,
    coalesce(owner_tenant_id, '__unallocated__') as owner_tenant_id,
    coalesce(owner_feature_id, '__unallocated__') as owner_feature_id,
    allocation,
    rule_id,
    sum(amount_usd) as amount_usd
from unioned
group by 1, 2, 3, 4, 5, 6, 7, 8
