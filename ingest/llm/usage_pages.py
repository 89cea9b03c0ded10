"""OpenAI Usage API and Anthropic usage report pages → ``raw.llm_events`` / ``raw.llm_events_quarantine``.

* **OpenAI Usage API** pages (``openai_usage/*.json``): ``GET /v1/organization/usage/completions`` responses.
* **Anthropic usage report** pages (``anthropic_usage/*.json``): ``GET /v1/organizations/usage_report/messages``.

Conventions undone here (docs/llm.md):

* OpenAI usage buckets: ``input_tokens`` includes cached and cache-write tokens; ``input_uncached_tokens``
  excludes both. A bucket whose parts do not add up is quarantined (``input_buckets_disagree``). There is no
  reasoning column: reasoning stays inside output (0 as its own bucket).
* Anthropic usage rows: the four input buckets are disjoint; input = uncached + cache read + 5m write + 1h write.
  ``service_tier = 'batch'`` → ``is_batch``. There is no request count: ``calls`` is null.

Aggregated rows carry ``calls`` = ``num_model_requests``, ``event_at`` = the bucket start (OpenAI: unix seconds;
Anthropic: RFC 3339 with an offset), and an ``event_id`` derived from the bucket and its group keys (pages.py), so
a re-fetched page replaces rather than adds. They have no tenant: dbt maps project / workspace / API key → tenant
and feature through ``llm_key_owners.csv``. ``attributes`` keeps the whole result object plus its bucket's start
and end. A bad row is quarantined with the native format's reasons (tokens.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import polars as pl

from ingest.llm.events import split_events
from ingest.llm.pages import anthropic_buckets, attributes, openai_buckets, row_id
from ingest.llm.tokens import token_problems
from ingest.values import count, dig, text

OPENAI_USAGE_GROUP_KEYS = ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")
ANTHROPIC_USAGE_GROUP_KEYS = ("account_id", "api_key_id", "workspace_id", "service_account_id", "model",
                              "service_tier", "context_window", "inference_geo", "speed")

Row = tuple[dict[str, Any], list[str]]


def parse_openai_usage_page(data: bytes, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An OpenAI ``/organization/usage/completions`` page → (events, quarantine); one row per bucket result."""
    return split_events(_openai_rows(data, source_file))


def parse_anthropic_usage_page(data: bytes, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An Anthropic ``usage_report/messages`` page → (events, quarantine); one row per bucket result."""
    return split_events(_anthropic_rows(data, source_file))


def _openai_rows(data: bytes, source_file: str) -> Iterator[Row]:
    for bucket, start, end, result in openai_buckets(data, source_file, "organization.usage.completions.result"):
        input_total = count(result.get("input_tokens"))
        cached = count(result.get("input_cached_tokens"))
        written = count(result.get("input_cache_write_tokens"))
        uncached = count(result.get("input_uncached_tokens"))
        counts = {
            # a page without input_tokens still adds up from its parts
            "input_tokens": input_total if result.get("input_tokens") is not None else _sum(uncached, cached, written),
            "output_tokens": count(result.get("output_tokens")),
            "cache_read_input_tokens": cached,
            "cache_creation_input_tokens": written,
            "cache_creation_1h_input_tokens": 0,
            "reasoning_output_tokens": 0,
        }
        reasons = token_problems(counts)
        if not reasons and result.get("input_uncached_tokens") is not None and (
            counts["input_tokens"] != _sum(uncached, cached, written)
        ):
            reasons.append("input_buckets_disagree")
        calls = count(result.get("num_model_requests"))
        if calls is None or calls < 0:
            reasons.append("invalid_request_count")
        batch = result.get("batch")
        row = _usage_row(
            "openai_usage", "openai", start, end, result, bucket, OPENAI_USAGE_GROUP_KEYS, counts, calls,
            service_tier=text(result.get("service_tier")),
            is_batch=batch if isinstance(batch, bool) else None,
            source_file=source_file,
        )
        yield row, _model_first(row, reasons)


def _anthropic_rows(data: bytes, source_file: str) -> Iterator[Row]:
    for bucket, start, end, result in anthropic_buckets(data, source_file):
        uncached = count(result.get("uncached_input_tokens"))
        read = count(result.get("cache_read_input_tokens"))
        write_5m = count(dig(result, "cache_creation", "ephemeral_5m_input_tokens"))
        write_1h = count(dig(result, "cache_creation", "ephemeral_1h_input_tokens"))
        counts = {
            "input_tokens": _sum(uncached, read, write_5m, write_1h),
            "output_tokens": count(result.get("output_tokens")),
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": _sum(write_5m, write_1h),
            "cache_creation_1h_input_tokens": write_1h,
            "reasoning_output_tokens": 0,
        }
        reasons = token_problems(counts)
        tier = text(result.get("service_tier"))
        row = _usage_row(
            "anthropic_usage", "anthropic", start, end, result, bucket, ANTHROPIC_USAGE_GROUP_KEYS, counts, None,
            service_tier=tier, is_batch=(tier or "").lower() == "batch", source_file=source_file,
        )
        yield row, _model_first(row, reasons)


def _model_first(row: dict[str, Any], reasons: list[str]) -> list[str]:
    """A result without a model cannot be priced: that is its reason, before any token problem."""
    return ["missing_model", *reasons] if row["response_model"] is None else reasons


def _usage_row(source_format: str, provider: str, start: datetime, end: datetime | None, result: dict[str, Any],
               bucket: dict[str, Any], group_keys: Iterable[str], counts: dict[str, int | None], calls: int | None,
               service_tier: str | None, is_batch: bool | None, source_file: str) -> dict[str, Any]:
    return {
        "event_id": row_id(source_format, start, end, {k: result.get(k) for k in group_keys}),
        "event_at": start,
        "usage_date": start.date(),
        "source_format": source_format,
        "provider_name": provider,
        "request_model": text(result.get("model")),
        "response_model": text(result.get("model")),
        **counts,
        "calls": calls,
        "conversation_id": None,
        "tenant_id": None,
        "feature_id": None,
        "service_tier": service_tier,
        "is_batch": is_batch,
        "cost_usd": None,
        "attributes": attributes(result, bucket),
        "source_file": source_file,
    }


def _sum(*values: int | None) -> int | None:
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]
