"""The great-expectations suites of the usage and business raw tables (raw.llm_events, raw.request_counts,
raw.tenants, raw.revenue); the bill's and Kubernetes' suites live with their domains.

Blocking, because a wrong number would follow:
- `tokens_not_negative` (llm_events): a negative token count prices a call below zero and takes cost from the other
  calls of its provider-day when the invoice residual is split.
- `event_ids_unique` (llm_events): one call twice in a day is priced and allocated twice.
- `requests_finite_not_negative` (request_counts): request counts are the weights shared workloads are split by; a
  negative or NaN weight makes a tenant's piece negative or the split undefined.
- `tenant_ids_unique` (tenants): a tenant twice joins its cost to two plans and doubles it in the margin marts.
- `mrr_not_negative` (revenue): a negative MRR turns every margin of the tenant's month into nonsense.
Warning only (every dollar still lands once):
- `reasoning_within_output` (llm_events): reasoning tokens are part of output tokens; more reasoning than output
  says the logger counted them apart, and the call is priced as logged.
- `requests_have_an_owner` (request_counts): a sample without tenant and feature weighs nothing.
- `plan_present` (tenants): a tenant without a plan is missing from the per-plan marts' rows.
"""

from __future__ import annotations

from dagster_project.lib.table_rules import TableRules

BLOCKING_RULES = ("tokens_not_negative", "event_ids_unique", "requests_finite_not_negative", "tenant_ids_unique",
                  "mrr_not_negative")
RULE_DESCRIPTIONS = {
    "tokens_not_negative": "Token and call counts of each LLM call are not negative.",
    "event_ids_unique": "No LLM event id appears twice in a day.",
    "reasoning_within_output": "Reasoning tokens do not exceed output tokens (they are part of them).",
    "requests_finite_not_negative": "Every request count is a finite number >= 0.",
    "requests_have_an_owner": "Every request sample names a tenant or a feature.",
    "tenant_ids_unique": "No tenant id appears twice in tenants.csv.",
    "plan_present": "Every tenant has a plan.",
    "mrr_not_negative": "No monthly revenue is negative.",
}
_TOKENS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens",
           "reasoning_output_tokens", "calls")

TABLE_RULES = {r.table: r for r in (
    TableRules(
        table="llm_events",
        columns={
            **{c: c for c in _TOKENS},
            "event_id_repeated": "case when count(*) over (partition by event_id) > 1 then event_id end",
            "reasoning_above_output": "case when reasoning_output_tokens > output_tokens then event_id end",
        },
        not_negative={c: "tokens_not_negative" for c in _TOKENS},
        must_be_null={"event_id_repeated": "event_ids_unique", "reasoning_above_output": "reasoning_within_output"},
    ),
    TableRules(
        table="request_counts",
        columns={
            "bad_request_count": "case when isnan(requests) or isinf(requests) or requests < 0 "
                                 "then source_file || ': ' || cast(requests as varchar) end",
            "sample_without_owner": "case when tenant_id is null and feature_id is null then source_file end",
        },
        must_be_null={"bad_request_count": "requests_finite_not_negative",
                      "sample_without_owner": "requests_have_an_owner"},
    ),
    TableRules(
        table="tenants",
        by_day=False,
        columns={
            "tenant_id_repeated": "case when count(*) over (partition by tenant_id) > 1 then tenant_id end",
            "tenant_without_plan": "case when plan is null then tenant_id end",
        },
        must_be_null={"tenant_id_repeated": "tenant_ids_unique", "tenant_without_plan": "plan_present"},
    ),
    TableRules(
        table="revenue",
        by_day=False,
        columns={"mrr_usd": "cast(mrr_usd as double)"},
        not_negative={"mrr_usd": "mrr_not_negative"},
    ),
)}
