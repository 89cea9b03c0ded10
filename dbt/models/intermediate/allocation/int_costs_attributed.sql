{{ config(materialized='table') }}
{#-
  Every dollar of the run's days, before any sharing, with the owner it has on its own and what must happen to
  it next (docs/allocation.md, "Who gets a dollar"):
    allocation = direct | idle | unallocated  → final as is
               = shared_workload               → split by its feature's method (int_shared_workloads_split)
               = llm_calls_on_bill             → split by the day's Bedrock calls (int_bedrock_costs_split)
               = shared_pool                   → split by the first policy rule that matches it
                                                 (int_shared_pools_split)
  Precedence: a tenant → direct; a feature only → shared workload; untagged Bedrock rows → their calls; then the
  first matching rule of the policy (stg_allocation_policy__*); else __unallocated__ (untagged, unlabeled_pod).
  Node idle kept as idle is never a rule's; idle the policy added to pods follows the pod (is_idle_share) and stays
  idle. billing_account_id and cluster are kept so a rule of scope account or cluster finds its recipients.
  A cluster's volumes and load balancers (int_cluster_resource_costs_owned) leave the bill rows: their pieces
  follow the pods that used them like pod compute (cost source cloud, their own category); unmatched ones are
  __unallocated__ (unmatched_volume, unmatched_load_balancer).
-#}
{%- set bill_kind = ['service_code', 'line_item_type', 'usage_type', 'tags'] -%}
{%- set pod_kind = ['namespace', 'labels'] -%}

with node_instances as (
    select distinct instance_id from {{ ref('int_node_instances_matched') }}
),

cluster_resource_ids as (
    select resource_id from {{ ref('int_cluster_resources_identified') }}
),

bill as (
    select
        b.*,
        {% for c in bill_kind -%}
        coalesce(b.{{ c }}, '{{ '{}' if c == 'tags' else '' }}') as kind_{{ c }},
        {% endfor -%}
        cls.category,
        (n.instance_id is not null
            and b.operation like 'RunInstances%'
            and coalesce(b.usage_type, '') not like '%DataXfer%') as is_node_compute,
        cr.resource_id is not null as is_cluster_resource,
        {{ first_tag('b.tags', var('tenant_tag')) }} as tag_tenant,
        {{ first_tag('b.tags', var('feature_tag')) }} as tag_feature
    from {{ ref('int_bill_costs_spread') }} as b
    left join {{ ref('int_bill_lines_classified') }} as cls
        on {{ bill_line_kind_matches('cls', 'b') }}
    left join node_instances as n
        on n.instance_id = b.resource_id
    left join cluster_resource_ids as cr
        on cr.resource_id = b.resource_id
    where {{ in_run_window('b.usage_date') }}
),

{#- the rules see only the bill rows without an owner of their own: untagged, and not model inference -#}
unowned_bill_kinds as (
    select distinct {% for c in bill_kind %}kind_{{ c }} as {{ c }}{{ ', ' if not loop.last }}{% endfor %}
    from bill
    where not is_node_compute and not is_cluster_resource and tag_tenant is null and tag_feature is null and category <> 'ai_tokens'
),

bill_rules as (
    {{ first_matching_rule('unowned_bill_kinds', bill_kind,
                           {'service': 'service_code', 'line_item_type': 'line_item_type',
                            'usage_type': 'usage_type', 'label': 'tags'}, has_cluster=false) }}
),

cloud as (
    select
        b.usage_date,
        b.source_id,
        'cloud' as cost_source,
        b.category,
        b.billing_account_id,
        cast(null as {{ dbt.type_string() }}) as cluster,
        false as is_idle_share,
        b.tag_tenant as owner_tenant_id,
        {{ owned_feature('b.tag_tenant', 'b.tag_feature') }} as owner_feature_id,
        r.rule_order,
        {#- untagged model inference billed on the CUR (Bedrock): the logged calls say whose it is #}
        {{ allocation_and_rule(owner_branches('b.tag_tenant', 'b.tag_feature') + [
            ("b.category = 'ai_tokens'", "'llm_calls_on_bill'", "'bedrock_calls'"),
            ('r.rule_order is not null', "'shared_pool'", 'rules.rule_id'),
            (none, "'unallocated'", "'untagged'"),
        ]) }},
        b.effective_cost as amount_usd
    from bill as b
    left join bill_rules as r
        on {% for c in bill_kind %}r.{{ c }} = b.kind_{{ c }}{{ ' and ' if not loop.last }}{% endfor %}
    left join {{ ref('stg_allocation_policy__rules') }} as rules
        on rules.rule_order = r.rule_order
    where not b.is_node_compute and not b.is_cluster_resource
),

pods as (
    select *, coalesce(namespace, '') as kind_namespace, coalesce(labels, '{}') as kind_labels
    from {{ ref('int_pod_costs_owned') }}
    where {{ in_run_window('usage_date') }}
),

{#- a volume's or load balancer's piece of a pod (or of a Service no pod used that day) is matched like a pod -#}
resources as (
    select *, coalesce(namespace, '') as kind_namespace, coalesce(labels, '{}') as kind_labels
    from {{ ref('int_cluster_resource_costs_owned') }}
    where {{ in_run_window('usage_date') }}
),

unowned_pod_kinds as (
    select distinct kind_namespace as namespace, kind_labels as labels
    from pods
    where recipient_kind = 'pod' and tenant_id is null and feature_id is null
    union all
    select distinct kind_namespace as namespace, kind_labels as labels
    from resources
    where recipient_kind in ('pod', 'service') and tenant_id is null and feature_id is null
),

pod_rules as (
    {{ first_matching_rule('unowned_pod_kinds', pod_kind, {'namespace': 'namespace', 'label': 'labels'},
                           has_cluster=true) }}
),

kubernetes as (
    select
        p.usage_date,
        p.source_id,
        case when p.recipient_kind = 'no_opencost' then 'cloud' else 'kubernetes' end as cost_source,
        'compute' as category,
        p.billing_account_id,
        p.cluster,
        (p.recipient_kind = 'pod' and p.cost_component = 'idle') as is_idle_share,
        case when p.recipient_kind = 'idle' then '__idle__' else p.tenant_id end as owner_tenant_id,
        case when p.recipient_kind = 'idle' then '__idle__' else {{ owned_feature('p.tenant_id', 'p.feature_id') }} end
            as owner_feature_id,
        r.rule_order,
        {{ allocation_and_rule([
            ("p.recipient_kind = 'idle'", "'idle'", "'node_idle'"),
            ("p.recipient_kind = 'no_opencost'", "'unallocated'", "'no_opencost'"),
            ("p.cost_component = 'idle' and p.tenant_id is not null", "'idle'", "'idle_share'"),
        ] + owner_branches('p.tenant_id', 'p.feature_id') + [
            ('r.rule_order is not null', "'shared_pool'", 'rules.rule_id'),
            ("p.cost_component = 'idle'", "'idle'", "'idle_share'"),
            (none, "'unallocated'", "'unlabeled_pod'"),
        ]) }},
        p.amount_usd
    from pods as p
    {{ pod_rule_joined('p', "p.recipient_kind = 'pod'") }}
),

cluster_resources as (
    select
        c.usage_date,
        c.source_id,
        'cloud' as cost_source,
        c.category,
        c.billing_account_id,
        c.cluster,
        false as is_idle_share,
        c.tenant_id as owner_tenant_id,
        {{ owned_feature('c.tenant_id', 'c.feature_id') }} as owner_feature_id,
        r.rule_order,
        {{ allocation_and_rule([
            ("c.recipient_kind = 'unmatched'", "'unallocated'", "case when c.resource_kind = 'volume' then 'unmatched_volume' else 'unmatched_load_balancer' end"),
        ] + owner_branches('c.tenant_id', 'c.feature_id') + [
            ('r.rule_order is not null', "'shared_pool'", 'rules.rule_id'),
            ("c.recipient_kind = 'service'", "'unallocated'", "'unmatched_load_balancer'"),
            (none, "'unallocated'", "'unlabeled_pod'"),
        ]) }},
        c.amount_usd
    from resources as c
    {{ pod_rule_joined('c', "c.recipient_kind in ('pod', 'service')") }}
),

llm as (
    -- each provider-day's LLM truth in pieces (int_llm_costs_reconciled): every call's own cost to its owner, and the
    -- gap to the invoice (rule llm_invoice_residual) split over the same calls by their cost; no rule sees them
    select
        r.usage_date,
        r.source_id,
        'llm' as cost_source,
        'ai_tokens' as category,
        cast(null as {{ dbt.type_string() }}) as billing_account_id,
        cast(null as {{ dbt.type_string() }}) as cluster,
        false as is_idle_share,
        r.tenant_id as owner_tenant_id,
        {{ owned_feature('r.tenant_id', 'r.feature_id') }} as owner_feature_id,
        cast(null as {{ dbt.type_bigint() }}) as rule_order,
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
    select * from cluster_resources
    union all
    select * from llm
),

settings as (
    select shared_workload_method from {{ ref('stg_allocation_policy__settings') }}
),

{#- what moves a dollar next: the method of its feature's shared workload, its rule's, or its Bedrock calls -#}
next_move as (
    select
        u.*,
        coalesce(u.owner_tenant_id, '__unallocated__') as tenant_id,
        coalesce(u.owner_feature_id, '__unallocated__') as feature_id,
        case u.allocation
            when 'shared_workload' then coalesce(fm.shared_workload_method, s.shared_workload_method)
            when 'shared_pool' then rules.method
            when 'llm_calls_on_bill' then 'priced_calls'
        end as method,
        case u.allocation
            when 'shared_workload' then 'feature'
            when 'shared_pool' then rules.scope
            when 'llm_calls_on_bill' then 'all'
        end as scope
    from unioned as u
    left join settings as s
        on true
    left join {{ ref('stg_allocation_policy__feature_methods') }} as fm
        on u.allocation = 'shared_workload' and fm.feature_id = u.owner_feature_id
    left join {{ ref('stg_allocation_policy__rules') }} as rules
        on u.allocation = 'shared_pool' and rules.rule_order = u.rule_order
)

select
    usage_date,
    source_id,
    cost_source,
    category,
    billing_account_id,
    cluster,
    is_idle_share,
    tenant_id as owner_tenant_id,
    feature_id as owner_feature_id,
    allocation,
    case when allocation = 'shared_workload' then {{ dbt.concat(["'shared_workload_'", 'method']) }} else rule_id end
        as rule_id,
    case when allocation = 'shared_pool' then rule_order end as rule_order,
    method,
    scope,
    case scope
        when 'all' then ''
        when 'feature' then feature_id
        when 'account' then billing_account_id
        when 'cluster' then cluster
    end as scope_key,
    sum(amount_usd) as amount_usd
from next_move
group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
