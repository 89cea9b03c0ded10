"""The raw-table contract between ingest/ (which produces these frames; the allocation policy's come from the config
file) and dbt staging (which reads them).

Every parser returns a polars DataFrame with exactly the columns of one schema below, in this order
(`conform(df, SCHEMA)` adds missing optional columns as nulls and casts). Money is Decimal(38, 9);
token and request counts are integers or floats as the source gives them; JSON blobs are UTF-8 strings.

Warehouse tables are named `raw.<name>` after the dict key in RAW_TABLES.
"""

from __future__ import annotations

import polars as pl

MONEY = pl.Decimal(38, 9)
TS = pl.Datetime("us", "UTC")

# AWS CUR 2.0 (Data Exports) columns, Parquet/Athena names. CUR 1 columns are renamed to these
# (`lineItem/UnblendedCost` -> `line_item_unblended_cost`); CUR 1 `resourceTags/user:team` columns fold into the
# `resource_tags` JSON object with CUR 2.0 key style (`{"user_team": "..."}`).
CUR_LINE_ITEMS: dict[str, pl.DataType] = {
    # lineage: which delivery this row came from; (source_id, billing_account_id, billing_period) is the
    # unit replaced atomically
    "source_id": pl.String,
    "bill_format": pl.String,  # cur2 | cur1
    "billing_account_id": pl.String,  # bill_payer_account_id
    "billing_period": pl.String,  # YYYY-MM
    "delivery_id": pl.String,  # manifest executionId / assemblyId, or a content hash for bare files
    "source_file": pl.String,
    "bill_billing_period_start_date": TS,
    "bill_billing_period_end_date": TS,
    "bill_invoice_id": pl.String,
    "bill_bill_type": pl.String,
    "identity_line_item_id": pl.String,
    "line_item_usage_account_id": pl.String,
    "line_item_line_item_type": pl.String,
    "line_item_usage_start_date": TS,
    "line_item_usage_end_date": TS,
    "line_item_product_code": pl.String,
    "line_item_usage_type": pl.String,
    "line_item_operation": pl.String,
    "line_item_resource_id": pl.String,
    "line_item_availability_zone": pl.String,
    "line_item_line_item_description": pl.String,
    "line_item_usage_amount": pl.Float64,
    "line_item_currency_code": pl.String,
    "line_item_unblended_cost": MONEY,
    "line_item_net_unblended_cost": MONEY,
    "pricing_public_on_demand_cost": MONEY,
    "pricing_unit": pl.String,
    "product_region_code": pl.String,
    "product_servicecode": pl.String,
    "product_product_family": pl.String,
    "product_instance_type": pl.String,
    "reservation_reservation_a_r_n": pl.String,
    "reservation_effective_cost": MONEY,
    "reservation_unused_amortized_upfront_fee_for_billing_period": MONEY,
    "reservation_unused_recurring_fee": MONEY,
    "reservation_amortized_upfront_fee_for_billing_period": MONEY,
    "savings_plan_savings_plan_a_r_n": pl.String,
    "savings_plan_savings_plan_effective_cost": MONEY,
    "savings_plan_total_commitment_to_date": MONEY,
    "savings_plan_used_commitment": MONEY,
    "savings_plan_amortized_upfront_commitment_for_billing_period": MONEY,
    "split_line_item_parent_resource_id": pl.String,
    "split_line_item_split_cost": MONEY,
    "split_line_item_unused_cost": MONEY,
    "resource_tags": pl.String,  # JSON object, CUR 2.0 key style: {"user_tenant": "acme"}
    # JSON object of the file's columns that are not in AWS's CUR 2.0 data dictionary (kept, never dropped)
    "extra_columns": pl.String,
}

# FOCUS 1.0–1.2 rows from any provider (AWS, Azure, GCP, OCI), FOCUS column names in snake_case
# (BilledCost -> billed_cost). Every column of the file that is not one of these (x_* custom columns, a provider's
# row id, FOCUS columns this table does not keep) is kept in `extra_columns`, a JSON object keyed by the file's own
# column names.
FOCUS_LINE_ITEMS: dict[str, pl.DataType] = {
    # lineage: (source_id, billing_account_id, billing_period) is the unit replaced atomically
    "source_id": pl.String,
    "bill_format": pl.String,  # focus
    "billing_account_id": pl.String,  # BillingAccountId
    "billing_period": pl.String,  # YYYY-MM of BillingPeriodStart
    "delivery_id": pl.String,  # manifest executionId, or a fingerprint of the files that form the period
    "source_file": pl.String,
    "source_row": pl.Int64,  # 1-based data row in source_file
    "billing_account_name": pl.String,
    "billing_period_start": TS,
    "billing_period_end": TS,
    "billing_currency": pl.String,
    "provider_name": pl.String,
    "publisher_name": pl.String,
    "invoice_issuer_name": pl.String,
    "invoice_id": pl.String,
    "sub_account_id": pl.String,
    "sub_account_name": pl.String,
    "charge_category": pl.String,  # Usage | Purchase | Tax | Credit | Adjustment (case normalized)
    "charge_class": pl.String,  # Correction, else null
    "charge_frequency": pl.String,  # One-Time | Recurring | Usage-Based (case normalized)
    "charge_description": pl.String,
    "charge_period_start": TS,
    "charge_period_end": TS,
    "billed_cost": MONEY,
    "effective_cost": MONEY,
    "list_cost": MONEY,
    "contracted_cost": MONEY,
    "consumed_quantity": pl.Float64,
    "consumed_unit": pl.String,
    "pricing_quantity": pl.Float64,
    "pricing_unit": pl.String,
    "pricing_category": pl.String,
    "service_name": pl.String,
    "service_category": pl.String,
    "service_subcategory": pl.String,
    "resource_id": pl.String,
    "resource_name": pl.String,
    "resource_type": pl.String,
    "region_id": pl.String,
    "region_name": pl.String,
    "availability_zone": pl.String,
    "sku_id": pl.String,
    "sku_price_id": pl.String,
    "sku_meter": pl.String,
    "commitment_discount_id": pl.String,
    "commitment_discount_type": pl.String,
    "commitment_discount_category": pl.String,
    "commitment_discount_status": pl.String,
    "commitment_discount_name": pl.String,
    "tags": pl.String,  # JSON object as the provider wrote it (keys unchanged); "{}" when empty
    "extra_columns": pl.String,  # JSON object of every other column of the file, by its own name
}

# One row per OpenCost /allocation entry (no aggregate: key cluster/node/namespace/pod/container), one day window.
OPENCOST_ALLOCATIONS: dict[str, pl.DataType] = {
    "cluster": pl.String,  # from the landing folder name (properties.cluster may be "default-cluster")
    "usage_date": pl.Date,  # the UTC day the row's window starts on (the landing folder's date for a daily dump)
    "window_start": TS,  # the row's set window (a day, or one hourly step)
    "window_end": TS,
    "allocation_name": pl.String,  # the map key, e.g. cluster/node/namespace/pod/container or __idle__
    "node": pl.String,
    "namespace": pl.String,
    "pod": pl.String,
    "container": pl.String,
    "provider_id": pl.String,  # properties.providerID (the instance id on AWS)
    "controller_kind": pl.String,
    "controller": pl.String,
    "minutes": pl.Float64,
    "cpu_core_hours": pl.Float64,
    "cpu_core_request_average": pl.Float64,
    "cpu_core_usage_average": pl.Float64,
    "ram_byte_hours": pl.Float64,
    "ram_byte_request_average": pl.Float64,
    "ram_byte_usage_average": pl.Float64,
    "gpu_hours": pl.Float64,
    "cpu_cost": MONEY,
    "cpu_cost_adjustment": MONEY,
    "ram_cost": MONEY,
    "ram_cost_adjustment": MONEY,
    "gpu_cost": MONEY,
    "gpu_cost_adjustment": MONEY,
    "pv_cost": MONEY,
    "network_cost": MONEY,
    "load_balancer_cost": MONEY,
    "shared_cost": MONEY,
    "external_cost": MONEY,
    "total_cost": MONEY,
    "labels": pl.String,  # JSON object: properties.labels (keys sanitized by OpenCost)
    "namespace_labels": pl.String,  # JSON object: properties.namespaceLabels
    "source_file": pl.String,
    # when the pod ran inside the window (the entry's own start/end): the seconds that split a pod-day between the
    # owners its labels named over the day (int_pod_owners_resolved)
    "running_start": TS,
    "running_end": TS,
}

# One row per OpenCost /assets entry (Node, Disk, LoadBalancer, ClusterManagement, ...), one day window.
OPENCOST_ASSETS: dict[str, pl.DataType] = {
    "cluster": pl.String,
    "usage_date": pl.Date,
    "window_start": TS,
    "window_end": TS,
    "asset_key": pl.String,
    "asset_type": pl.String,  # Node | Disk | LoadBalancer | ClusterManagement | Network | ...
    "name": pl.String,
    "provider_id": pl.String,  # properties.providerID
    "node_type": pl.String,
    "minutes": pl.Float64,
    "cpu_cores": pl.Float64,
    "ram_bytes": pl.Float64,
    "cpu_core_hours": pl.Float64,
    "ram_byte_hours": pl.Float64,
    "gpu_hours": pl.Float64,
    "cpu_cost": MONEY,
    "ram_cost": MONEY,
    "gpu_cost": MONEY,
    "adjustment": MONEY,
    "total_cost": MONEY,
    "labels": pl.String,  # JSON object
    "source_file": pl.String,
}

# One row per Kubernetes object in a kubectl `List` snapshot.
K8S_OBJECTS: dict[str, pl.DataType] = {
    "cluster": pl.String,
    "snapshot_at": TS,  # from the folder name <YYYY-MM-DDTHH-MM-SSZ>
    "usage_date": pl.Date,  # UTC date of snapshot_at (the partition)
    "kind": pl.String,  # Pod | Namespace | Node | Deployment | ReplicaSet | StatefulSet | DaemonSet | Job | CronJob
    "namespace": pl.String,  # null for cluster-scoped objects
    "name": pl.String,
    "uid": pl.String,
    "labels": pl.String,  # JSON object of metadata.labels (raw keys, not sanitized)
    "owner_kind": pl.String,  # the controller ownerReference (controller: true), else the first one
    "owner_name": pl.String,
    "owner_uid": pl.String,
    "node_name": pl.String,  # Pod: spec.nodeName
    "provider_id": pl.String,  # Node: spec.providerID, e.g. aws:///us-east-1a/i-0abc...
    "created_at": TS,  # metadata.creationTimestamp
    "phase": pl.String,  # Pod: status.phase
    "source_file": pl.String,
}

# What matching a volume or load balancer bill row needs of a snapshot's objects, one row per (object, ref, value)
# (ingest/kubernetes/kubectl.py, docs/kubernetes.md#volumes-and-load-balancers):
#   Pod                   claim          spec.volumes[].persistentVolumeClaim.claimName (the PVC, same namespace)
#   PersistentVolumeClaim volume_name    spec.volumeName (the PV it is bound to)
#   PersistentVolume      volume_id      the EBS volume id: spec.csi.volumeHandle or spec.awsElasticBlockStore.volumeID
#                         claim          spec.claimRef as <namespace>/<name>
#   Service               service_type   spec.type
#                         selector       one spec.selector pair as its JSON text, "key":"value"
#                         load_balancer  the AWS load balancer's name (annotation aws-load-balancer-name, else the
#                                        name part of status.loadBalancer.ingress[].hostname)
K8S_OBJECT_REFS: dict[str, pl.DataType] = {
    "cluster": pl.String,
    "snapshot_at": TS,
    "usage_date": pl.Date,
    "kind": pl.String,
    "namespace": pl.String,
    "name": pl.String,
    "uid": pl.String,
    "ref": pl.String,
    "value": pl.String,
    "source_file": pl.String,
}

# One row per LLM call, any log format, token counts OTel-inclusive (docs/llm.md).
LLM_EVENTS: dict[str, pl.DataType] = {
    "event_id": pl.String,
    "event_at": TS,
    "usage_date": pl.Date,  # UTC day of event_at
    "source_format": pl.String,  # native | litellm | openai_usage | anthropic_usage
    "provider_name": pl.String,  # gen_ai.provider.name as logged (openai, anthropic, gcp.gemini, aws.bedrock, ...)
    "request_model": pl.String,
    "response_model": pl.String,
    "input_tokens": pl.Int64,  # inclusive of cache reads and writes
    "output_tokens": pl.Int64,  # inclusive of reasoning
    "cache_read_input_tokens": pl.Int64,
    "cache_creation_input_tokens": pl.Int64,
    "cache_creation_1h_input_tokens": pl.Int64,  # part of cache creation written with a 1-hour TTL
    "reasoning_output_tokens": pl.Int64,
    "calls": pl.Int64,  # 1 for a single call; num_model_requests for aggregated usage rows
    "conversation_id": pl.String,
    "tenant_id": pl.String,
    "feature_id": pl.String,
    "service_tier": pl.String,
    "is_batch": pl.Boolean,
    "cost_usd": MONEY,  # provider-reported charge, optional
    "attributes": pl.String,  # the whole original record as JSON (unknown keys kept)
    "source_file": pl.String,
}

# Rows refused by a parser's validation rules, counted and checked, never priced.
LLM_EVENTS_QUARANTINE: dict[str, pl.DataType] = {
    **LLM_EVENTS,
    "reason": pl.String,
}

# One row per line of a provider's cost report (OpenAI /organization/costs, Anthropic cost_report): what the provider
# invoices per day. The truth of an (LLM provider, day) when present (docs/allocation.md). Anthropic's `amount` is in cents
# (a decimal string) and OpenAI's `amount.value` in dollars; both land here in USD.
LLM_COST_REPORTS: dict[str, pl.DataType] = {
    "report_row_id": pl.String,  # deterministic: source format + bucket start + every grouping / identifying field
    "source_format": pl.String,  # openai_costs | anthropic_costs
    "provider": pl.String,  # the invoicing provider: openai | anthropic
    "bucket_start": TS,
    "bucket_end": TS,
    "usage_date": pl.Date,  # UTC day of bucket_start
    "amount_usd": MONEY,
    "amount_as_reported": pl.String,  # the amount exactly as the API gave it (cents for Anthropic)
    "currency": pl.String,  # upper case, as reported (only USD is accepted)
    "cost_type": pl.String,  # Anthropic: tokens | web_search | code_execution
    "line_item": pl.String,  # OpenAI line_item / Anthropic description
    "token_type": pl.String,  # Anthropic: uncached_input_tokens, output_tokens, cache_read_input_tokens, ...
    "model": pl.String,
    "service_tier": pl.String,
    "context_window": pl.String,
    "project_id": pl.String,  # OpenAI project
    "workspace_id": pl.String,  # Anthropic workspace
    "api_key_id": pl.String,
    "quantity": pl.Float64,
    "quantity_unit": pl.String,
    "attributes": pl.String,  # the whole result object (plus its bucket's start and end) as JSON
    "source_file": pl.String,
}

# Request volume by tenant and feature; a Prometheus sample at t covers (t - 1h, t] and belongs to the day of t - 1h.
REQUEST_COUNTS: dict[str, pl.DataType] = {
    "sample_at": TS,
    "usage_date": pl.Date,
    "tenant_id": pl.String,
    "feature_id": pl.String,
    "requests": pl.Float64,
    "source_file": pl.String,
}

# Samples found outside the files of their own day (docs/money-and-time.md, "Late and early data"), under the day of
# the file they were found in: counted, never in raw.request_counts.
REQUEST_COUNTS_QUARANTINE: dict[str, pl.DataType] = {
    **REQUEST_COUNTS,
    "reason": pl.String,
}

TENANTS: dict[str, pl.DataType] = {
    "tenant_id": pl.String,
    "tenant_name": pl.String,
    "plan": pl.String,
    "source_file": pl.String,
}

REVENUE: dict[str, pl.DataType] = {
    "usage_month": pl.Date,  # first day of the month
    "tenant_id": pl.String,
    "mrr_usd": MONEY,
    "source_file": pl.String,
}

BUDGETS: dict[str, pl.DataType] = {
    "usage_month": pl.Date,
    "feature_id": pl.String,
    "scope": pl.String,  # ai (the feature's ai_tokens cost) or total; null in rows loaded before the column existed
    "budget_usd": MONEY,
    "source_file": pl.String,
}

# Business data `llm_key_owners.csv`: who owns an OpenAI project, an Anthropic workspace, an API key or a LiteLLM
# team, for usage rows that carry no tenant of their own (aggregated usage pages, gateway logs).
LLM_KEY_OWNERS: dict[str, pl.DataType] = {
    "provider": pl.String,  # openai | anthropic | litellm (lower case)
    "key_type": pl.String,  # project | workspace | api_key | team
    "key_id": pl.String,
    "tenant_id": pl.String,  # null = the key serves several tenants (a shared workload of feature_id)
    "feature_id": pl.String,
    "source_file": pl.String,
}

# Business data `price_overrides.csv`: negotiated LLM prices that win over list prices on their validity dates.
LLM_PRICE_OVERRIDES: dict[str, pl.DataType] = {
    "provider": pl.String,  # genai-prices provider id of the provider that bills the call (openai, azure, google, ...)
    "model": pl.String,  # genai-prices model id (claude-sonnet-4-5, not a dated snapshot name)
    "price_key": pl.String,  # input_mtok, cache_read_mtok, ..., requests_kcount
    "variant": pl.String,  # null = the standard price (replaces the list base); batch | flex | priority = that context
    "tier_start_input_tokens": pl.Int64,  # 0 = base; > 0 = a long-context tier (calls above that many input tokens)
    "usd_per_unit_block": pl.Decimal(38, 12),  # USD per million tokens (*_mtok) or per thousand (*_kcount)
    "valid_from": pl.Date,  # inclusive, UTC day
    "valid_to": pl.Date,  # inclusive, UTC day; null = open-ended
    "source_file": pl.String,
}

# The allocation policy of the config file (`allocation:`, docs/allocation.md), written whole each run by
# dagster_project/defs/allocation_policy: the rules in order, each rule's match values (one row per value), the
# shares of fixed rules, and the settings (idle, shared workloads) with per-feature workload methods.
ALLOCATION_POLICY_RULES: dict[str, pl.DataType] = {
    "rule_order": pl.Int64,  # 1, 2, ... as listed: the first rule that matches a dollar moves it
    "rule_id": pl.String,  # may repeat: rules with one id are one pool
    "method": pl.String,  # proportional | even | fixed | requests | tokens | llm_cost
    "scope": pl.String,  # all | account | cluster
}
ALLOCATION_POLICY_CONDITIONS: dict[str, pl.DataType] = {
    "rule_order": pl.Int64,
    "match_key": pl.String,  # namespace | label | service | line_item_type | usage_type
    "label_key": pl.String,  # label only: the label (pod) or tag (bill row, stored key) to compare
    "pattern": pl.String,  # the value; a LIKE pattern for usage_type
}
ALLOCATION_POLICY_SHARES: dict[str, pl.DataType] = {
    "rule_order": pl.Int64,
    "rule_id": pl.String,
    "tenant_id": pl.String,
    "share": pl.Decimal(38, 18),  # a fixed rule's shares sum to exactly 1
}
ALLOCATION_POLICY_SETTINGS: dict[str, pl.DataType] = {
    "idle": pl.String,  # keep | share | share_by_node
    "shared_workloads": pl.String,  # the default method of a feature without a tenant: requests | tokens | llm_cost
}
ALLOCATION_POLICY_FEATURE_METHODS: dict[str, pl.DataType] = {
    "feature_id": pl.String,
    "method": pl.String,
}

RAW_TABLES: dict[str, dict[str, pl.DataType]] = {
    "cur_line_items": CUR_LINE_ITEMS,
    "focus_line_items": FOCUS_LINE_ITEMS,
    "opencost_allocations": OPENCOST_ALLOCATIONS,
    "opencost_assets": OPENCOST_ASSETS,
    "k8s_objects": K8S_OBJECTS,
    "k8s_object_refs": K8S_OBJECT_REFS,
    "llm_events": LLM_EVENTS,
    "llm_events_quarantine": LLM_EVENTS_QUARANTINE,
    "llm_cost_reports": LLM_COST_REPORTS,
    "request_counts": REQUEST_COUNTS,
    "request_counts_quarantine": REQUEST_COUNTS_QUARANTINE,
    "tenants": TENANTS,
    "revenue": REVENUE,
    "budgets": BUDGETS,
    "llm_key_owners": LLM_KEY_OWNERS,
    "llm_price_overrides": LLM_PRICE_OVERRIDES,
    "allocation_policy_rules": ALLOCATION_POLICY_RULES,
    "allocation_policy_conditions": ALLOCATION_POLICY_CONDITIONS,
    "allocation_policy_shares": ALLOCATION_POLICY_SHARES,
    "allocation_policy_settings": ALLOCATION_POLICY_SETTINGS,
    "allocation_policy_feature_methods": ALLOCATION_POLICY_FEATURE_METHODS,
}


def conform(df: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Return df with exactly `schema`'s columns in order: missing ones as typed nulls, others cast strictly."""
    exprs = []
    for name, dtype in schema.items():
        if name in df.columns:
            exprs.append(pl.col(name).cast(dtype, strict=True).alias(name))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    return df.select(exprs)


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)
