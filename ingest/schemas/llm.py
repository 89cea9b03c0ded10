"""Raw tables of LLM usage: calls, refused calls and the providers' cost reports."""

from __future__ import annotations

import polars as pl

from ingest.schemas.types import MONEY, TS

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
