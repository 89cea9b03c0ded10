"""LiteLLM SpendLogs exports → ``raw.llm_events`` / ``raw.llm_events_quarantine`` (the native format's contract).

Files sit at ``litellm/<YYYY-MM-DD>/*.json|*.csv``: one row per request the LiteLLM proxy forwarded, as the
``LiteLLM_SpendLogs`` table / ``/spend/logs`` API gives it (a JSON list, or an object with a ``data`` list; or CSV
with the same column names, JSON columns as JSON text).

Conventions undone here (docs/llm.md):

* LiteLLM normalizes every provider to OpenAI's convention: ``prompt_tokens`` includes cache reads and cache
  writes (its Anthropic transformation adds ``cache_read_input_tokens`` and ``cache_creation_input_tokens`` into
  it) and ``completion_tokens`` includes reasoning. That is already OTel-inclusive: input = prompt_tokens. Cache
  and reasoning counts come from columns of those names when the export has them, else from
  ``metadata.usage_object`` (``cache_read_input_tokens`` or ``prompt_tokens_details.cached_tokens``,
  ``cache_creation_input_tokens``, ``cache_creation_token_details.ephemeral_1h_input_tokens``,
  ``completion_tokens_details.reasoning_tokens``).
* ``custom_llm_provider`` names (``vertex_ai``, ``bedrock``) become OTel ``gen_ai.provider.name`` values, and a
  ``provider/`` prefix on the model is dropped; tenant and feature come from ``request_tags`` (``tenant:acme``) or
  ``spend_logs_metadata``.
* ``startTime`` is written by Prisma, whose ``DateTime`` columns hold UTC, so a timestamp **without** an offset is
  read as UTC (its documented storage), unlike the native format, where it is refused.
* ``spend`` is LiteLLM's own estimate from its price map, not a provider-reported charge: it is kept in
  ``attributes`` (the whole row), never used as ``cost_usd`` (unitcost re-prices every call from its
  effective-dated price table).

A bad row is quarantined with the native format's reasons, plus ``gateway_cache_hit`` (a LiteLLM response-cache
hit never reached the provider); a file that is not a SpendLogs export fails (LandingFileError naming it).
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.llm.events import event_time, split_events
from ingest.llm.tokens import token_problems
from ingest.values import count, dig, json_default, load_json, require_columns, text, utf8_text

# LiteLLM `custom_llm_provider` → OTel gen_ai.provider.name (seeds/llm_provider_map.csv maps those onward);
# a name not listed is kept as logged and matched by genai-prices' own provider matching.
LITELLM_PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "azure": "azure.ai.openai",
    "azure_text": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "bedrock": "aws.bedrock",
    "bedrock_converse": "aws.bedrock",
    "vertex_ai": "gcp.vertex_ai",
    "vertex_ai_beta": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "mistral": "mistral_ai",
    "groq": "groq",
    "deepseek": "deepseek",
    "xai": "x_ai",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "perplexity": "perplexity",
}


def parse_litellm_spend_logs(data: bytes, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A LiteLLM SpendLogs export (JSON or CSV, told apart by the first non-blank byte) → (events, quarantine)."""
    content = utf8_text(data, source_file)
    if content.lstrip().startswith(("[", "{")):
        doc = load_json(content, source_file, decimals=True)
        records = doc.get("data") if isinstance(doc, dict) else doc
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise LandingFileError(
                source_file, "expected a JSON list of SpendLogs rows (or an object with a 'data' list)"
            )
        rows = [(i, r) for i, r in enumerate(records, start=1)]
        where = "row"
    else:
        reader = csv.DictReader(io.StringIO(content))
        header = [f.strip() for f in reader.fieldnames or []]
        require_columns(header, ("request_id",), source_file, file_kind="LiteLLM SpendLogs")
        rows = [(i, {k.strip(): v for k, v in r.items() if k}) for i, r in enumerate(reader, start=2)]
        where = "line"
    return split_events(_litellm_row(record, source_file, f"{where} {number}") for number, record in rows)


def _litellm_row(record: dict[str, Any], source_file: str, where: str) -> tuple[dict[str, Any], list[str]]:
    reasons: list[str] = []
    metadata = _json_field(record.get("metadata"), source_file, where, "metadata") or {}
    tags = _json_field(record.get("request_tags"), source_file, where, "request_tags") or []
    usage = metadata.get("usage_object") if isinstance(metadata.get("usage_object"), dict) else {}
    extra = metadata.get("additional_usage_values") if isinstance(metadata.get("additional_usage_values"), dict) else {}
    custom = metadata.get("spend_logs_metadata") if isinstance(metadata.get("spend_logs_metadata"), dict) else {}

    event_at, problem = event_time(record.get("startTime"), naive_is_utc=True)
    if problem:
        reasons.append(problem)
    event_id = text(record.get("request_id"))
    if event_id is None:
        reasons.append("missing_event_id")

    provider_raw = (text(record.get("custom_llm_provider")) or "").strip().lower()
    model = text(record.get("model"))
    if model and provider_raw and model.lower().startswith(provider_raw + "/"):
        model = model[len(provider_raw) + 1:]
    if not provider_raw and model and "/" in model and model.split("/", 1)[0].lower() in LITELLM_PROVIDERS:
        provider_raw, model = model.split("/", 1)[0].lower(), model.split("/", 1)[1]
    request_model = text(record.get("model_group")) or model
    if model is None and request_model is None:
        reasons.append("missing_model")

    def first(*candidates: Any) -> Any:
        return next((c for c in candidates if c not in (None, "")), None)

    counts = {
        "input_tokens": _litellm_count(record.get("prompt_tokens")),
        "output_tokens": _litellm_count(record.get("completion_tokens")),
        "cache_read_input_tokens": _litellm_count(first(
            record.get("cache_read_input_tokens"), usage.get("cache_read_input_tokens"),
            extra.get("cache_read_input_tokens"), dig(usage, "prompt_tokens_details", "cached_tokens"))),
        "cache_creation_input_tokens": _litellm_count(first(
            record.get("cache_creation_input_tokens"), usage.get("cache_creation_input_tokens"),
            extra.get("cache_creation_input_tokens"), dig(usage, "prompt_tokens_details", "cache_write_tokens"))),
        "cache_creation_1h_input_tokens": _litellm_count(first(
            dig(usage, "cache_creation_token_details", "ephemeral_1h_input_tokens"),
            dig(extra, "cache_creation_token_details", "ephemeral_1h_input_tokens"))),
        "reasoning_output_tokens": _litellm_count(first(
            dig(usage, "completion_tokens_details", "reasoning_tokens"), extra.get("reasoning_tokens"))),
    }
    reasons.extend(token_problems(counts))
    cache_hit = str(record.get("cache_hit") or "").strip().lower()
    if cache_hit in ("true", "1", "yes"):
        reasons.append("gateway_cache_hit")

    tag_values = _tag_values(tags)
    tenant = first(tag_values.get("tenant"), tag_values.get("tenant.id"), custom.get("tenant.id"),
                   custom.get("tenant_id"), record.get("end_user"))
    feature = first(tag_values.get("feature"), tag_values.get("feature.id"), custom.get("feature.id"),
                    custom.get("feature_id"))
    call_type = str(record.get("call_type") or "").lower()
    breakdown = metadata.get("cost_breakdown") if isinstance(metadata.get("cost_breakdown"), dict) else {}
    row: dict[str, Any] = {
        "event_id": event_id,
        "event_at": event_at,
        "usage_date": event_at.date() if event_at else None,
        "source_format": "litellm",
        "provider_name": LITELLM_PROVIDERS.get(provider_raw, provider_raw or None),
        "request_model": request_model,
        "response_model": model,
        **counts,
        "calls": 1,
        "conversation_id": text(first(record.get("session_id"), custom.get("gen_ai.conversation.id"))),
        "tenant_id": text(tenant),
        "feature_id": text(feature),
        "service_tier": text(first(breakdown.get("service_tier"), usage.get("service_tier"))),
        "is_batch": "batch" in call_type,
        "cost_usd": None,
        "attributes": json.dumps(record, sort_keys=True, default=json_default),
        "source_file": source_file,
    }
    return row, reasons


def _litellm_count(value: Any) -> int | None:
    """JSON numbers as the native format; CSV text '12' / '12.0' / '' too."""
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return 0
        try:
            value = Decimal(value)
        except InvalidOperation:
            return None
    return count(value)


def _tag_values(tags: Any) -> dict[str, str]:
    """``request_tags`` like ``["tenant:acme", "feature:chat"]`` → {"tenant": "acme", "feature": "chat"}."""
    out: dict[str, str] = {}
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, str) and ":" in tag:
            key, value = tag.split(":", 1)
            out.setdefault(key.strip().lower(), value.strip())
    return out


def _json_field(value: Any, source_file: str, where: str, column: str) -> Any:
    """A JSON column: an object/list as is (JSON exports) or JSON text (CSV exports); empty → None."""
    if value is None or isinstance(value, (dict, list)):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        return load_json(value, source_file, where=f"{where}, column {column}", decimals=True)
    return None
