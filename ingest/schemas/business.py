"""Raw tables of business data: tenants, revenue, budgets, LLM key owners and negotiated prices."""

from __future__ import annotations

import polars as pl

from ingest.schemas.types import MONEY

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
