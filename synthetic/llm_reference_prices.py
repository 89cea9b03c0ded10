"""The reference price of an LLM call, by genai-prices' own calculator (a Usage priced by `DataSnapshot.calc`, what
`calc_price` does). This is the one place in the repository that prices a call that way: the ground truth prices
every generated call with it, and the tests and benchmarks that check the pipeline's SQL pricing against
genai-prices import `price_call` from here (the generator imports nothing from the pipeline, so both can).

unitcost applies a batch or service-tier price variant on every date its base price is valid (docs/llm.md:
genai-prices 0.2.3 dates those variants from the day they were added to its data, 2026-10-12/14). So the truth prices
on a private snapshot in which every variant's StartDateConstraint is removed; the global snapshot is never touched.
A caller may price on its own snapshot instead (`snapshot=`). Each call's total is rounded once to 9 decimals, half
away from zero.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # genai-prices is imported lazily (its data takes a moment to load)
    from genai_prices.data_snapshot import DataSnapshot

NANO = Decimal("0.000000001")

# OTel gen_ai.provider.name -> genai-prices provider id (the invoicing provider)
PROVIDER_IDS = {"openai": "openai", "anthropic": "anthropic", "gcp.gemini": "google"}


@lru_cache(maxsize=1)
def truth_snapshot():
    """A genai-prices DataSnapshot whose price variants have no start-date constraint."""
    from genai_prices import data
    from genai_prices import types as gp_types
    from genai_prices.data_snapshot import DataSnapshot

    providers = copy.deepcopy(data.providers)
    for provider in providers:
        for model in provider.models:
            for variant in model.price_variants or ():
                if isinstance(variant.constraint, gp_types.StartDateConstraint):
                    variant.constraint = None
    return DataSnapshot(providers=providers, from_auto_update=False)


def price_context(service_tier: str | None, batch: bool) -> dict[str, str] | None:
    """genai-prices' price context of a call: batch processing, and the flex / priority tiers (every other tier as
    logged, e.g. default, standard, auto, is the base price)."""
    ctx: dict[str, str] = {}
    if batch:
        ctx["processing"] = "batch"
    if service_tier in ("flex", "priority"):
        ctx["service_tier"] = service_tier
    return ctx or None


def price_call(model: str, provider: str, timestamp: datetime, input_tokens: int, output_tokens: int,
               cache_read_tokens: int = 0, cache_write_tokens: int = 0, cache_write_1h_tokens: int = 0,
               reasoning_tokens: int = 0, service_tier: str | None = None, batch: bool = False, *,
               snapshot: DataSnapshot | None = None) -> Decimal:
    """Cost in USD of one call, rounded to 9 decimals (ROUND_HALF_UP).

    model: the response model (or request model); provider: an OTel provider name (`openai`, `anthropic`,
    `gcp.gemini`) or a genai-prices provider id (`google`); timestamp: when the call was made (prices change over
    time); tokens OTel-inclusive: input includes cache reads and writes, output includes reasoning;
    cache_write_1h_tokens is the 1-hour-TTL part of cache_write_tokens; service_tier and batch: see price_context;
    snapshot: the genai-prices data to price on (default: truth_snapshot()).
    """
    from genai_prices import Usage

    provider_id = PROVIDER_IDS.get(provider, provider)
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=cache_read_tokens,
        cache_write_tokens=cache_write_tokens,
        cache_write_5m_tokens=cache_write_tokens - cache_write_1h_tokens,
        cache_write_1h_tokens=cache_write_1h_tokens,
        output_reasoning_tokens=reasoning_tokens,
    )
    calc = (snapshot if snapshot is not None else truth_snapshot()).calc(
        usage, model, provider_id, None, timestamp, price_context=price_context(service_tier, batch)
    )
    return Decimal(calc.total_price).quantize(NANO, rounding=ROUND_HALF_UP)


def price_llm_call(call) -> Decimal:
    """price_call for a generated call (model.llm_calls.LlmCall)."""
    return price_call(
        call.response_model or call.request_model,
        call.provider_name,
        call.at,
        call.input_tokens,
        call.output_tokens,
        call.cache_read,
        call.cache_creation,
        call.cache_creation_1h,
        call.reasoning,
        call.service_tier,
        call.batch,
    )


def price_llm_events_row(row: Mapping[str, Any], provider: str, *, snapshot: DataSnapshot | None = None) -> Decimal:
    """price_call for a call held as a row of the pipeline's llm_events columns (event_at, response_model,
    input_tokens, cache_read_input_tokens, cache_creation_input_tokens, cache_creation_1h_input_tokens,
    output_tokens, reasoning_output_tokens, service_tier, is_batch), as the pricing tests and benchmark hold them.
    provider: the genai-prices provider id of the row's provider_name."""
    return price_call(
        row["response_model"], provider, row["event_at"], row["input_tokens"], row["output_tokens"],
        row["cache_read_input_tokens"], row["cache_creation_input_tokens"], row["cache_creation_1h_input_tokens"],
        row["reasoning_output_tokens"], row["service_tier"], row["is_batch"], snapshot=snapshot,
    )


def resolve_model(model: str, provider: str) -> str:
    """The genai-prices model id a (model, provider) resolves to (raises LookupError when unknown)."""
    _, info = truth_snapshot().find_provider_model(model, None, PROVIDER_IDS.get(provider, provider), None)
    return info.id
