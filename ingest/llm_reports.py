"""LLM usage and cost in the formats other tools write, into the same contracts as the native JSONL.

Usage → ``raw.llm_events`` / ``raw.llm_events_quarantine`` (schema LLM_EVENTS, OTel-inclusive counts):

* **LiteLLM SpendLogs** exports (``litellm/<YYYY-MM-DD>/*.json|*.csv``): one row per proxied request, as the
  ``LiteLLM_SpendLogs`` table / ``/spend/logs`` API gives it (a JSON list, or an object with a ``data`` list; or
  CSV with the same column names, JSON columns as JSON text).
* **OpenAI Usage API** pages (``openai_usage/*.json``): ``GET /v1/organization/usage/completions`` responses.
* **Anthropic usage report** pages (``anthropic_usage/*.json``): ``GET /v1/organizations/usage_report/messages``.

Cost → ``raw.llm_cost_reports`` (schema LLM_COST_REPORTS, USD):

* **OpenAI costs** pages (``openai_costs/*.json``): ``GET /v1/organization/costs``; ``amount.value`` in dollars.
* **Anthropic cost report** pages (``anthropic_costs/*.json``): ``GET /v1/organizations/cost_report``; ``amount``
  is in **cents**, a decimal string ("123.45" = $1.2345).

Conventions undone here (DESIGN.md §1, research/llm_cost.md §4.6):

* LiteLLM normalizes every provider to OpenAI's convention: ``prompt_tokens`` includes cache reads and cache
  writes (its Anthropic transformation adds ``cache_read_input_tokens`` and ``cache_creation_input_tokens`` into
  it) and ``completion_tokens`` includes reasoning. That is already OTel-inclusive: input = prompt_tokens. Cache
  and reasoning counts come from columns of those names when the export has them, else from
  ``metadata.usage_object`` (``cache_read_input_tokens`` or ``prompt_tokens_details.cached_tokens``,
  ``cache_creation_input_tokens``, ``cache_creation_token_details.ephemeral_1h_input_tokens``,
  ``completion_tokens_details.reasoning_tokens``).
* OpenAI usage buckets: ``input_tokens`` includes cached and cache-write tokens; ``input_uncached_tokens``
  excludes both. A bucket whose parts do not add up is quarantined (``input_buckets_disagree``). There is no
  reasoning column: reasoning stays inside output (0 as its own bucket).
* Anthropic usage rows: the four input buckets are disjoint; input = uncached + cache read + 5m write + 1h write.
  ``service_tier = 'batch'`` → ``is_batch``. There is no request count: ``calls`` is null.

Aggregated rows (usage pages) carry ``calls`` = ``num_model_requests``, ``event_at`` = the bucket start, and an
``event_id`` derived from the bucket and its group keys, so a re-fetched page replaces rather than adds. They have
no tenant: dbt maps project / workspace / API key → tenant and feature through ``llm_key_owners.csv``.
``attributes`` keeps the whole result object plus its bucket's start and end (and for LiteLLM the whole row).

Timestamps: OpenAI buckets are unix seconds; Anthropic's are RFC 3339 with an offset. LiteLLM's ``startTime`` is
written by Prisma, whose ``DateTime`` columns hold UTC, so a LiteLLM timestamp **without** an offset is read as UTC
(its documented storage), unlike the native format, where it is refused. Bad structure (not JSON, no ``data``
list, a bucket without a start) fails the file (LandingFileError naming it); a bad row is quarantined with the
native format's reasons, plus ``gateway_cache_hit`` (a LiteLLM response-cache hit never reached the provider).
LiteLLM's ``spend`` is LiteLLM's own estimate from its price map, not a provider-reported charge: it is kept in
``attributes``, never used as ``cost_usd`` (unitcost re-prices every call from its effective-dated price table).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.llm import TOKEN_KEYS, _count, _frame, _text, token_problems
from ingest.schemas import LLM_COST_REPORTS, LLM_EVENTS, LLM_EVENTS_QUARANTINE

_NANO = Decimal("0.000000001")
_CENTS_PER_DOLLAR = Decimal(100)

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
OPENAI_USAGE_GROUP_KEYS = ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")
ANTHROPIC_USAGE_GROUP_KEYS = ("account_id", "api_key_id", "workspace_id", "service_account_id", "model",
                              "service_tier", "context_window", "inference_geo", "speed")


# ------------------------------------------------------------------------------------------------------ LiteLLM


def parse_litellm_spend_logs(data: bytes, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A LiteLLM SpendLogs export (JSON or CSV, told apart by the first non-blank byte) → (events, quarantine)."""
    text = _utf8(data, source_file)
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        doc = _json(text, source_file)
        records = doc.get("data") if isinstance(doc, dict) else doc
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise LandingFileError(
                source_file, "expected a JSON list of SpendLogs rows (or an object with a 'data' list)"
            )
        rows = [(i, r) for i, r in enumerate(records, start=1)]
        where = "row"
    else:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "request_id" not in [f.strip() for f in reader.fieldnames]:
            raise LandingFileError(
                source_file, "expected a CSV header with LiteLLM SpendLogs columns (request_id, ...)"
            )
        rows = [(i, {k.strip(): v for k, v in r.items() if k}) for i, r in enumerate(reader, start=2)]
        where = "line"
    events, quarantined = [], []
    for number, record in rows:
        row, reasons = _litellm_row(record, source_file, f"{where} {number}")
        if reasons:
            row["reason"] = reasons[0]
            quarantined.append(row)
        else:
            events.append(row)
    return _frame(events, LLM_EVENTS), _frame(quarantined, LLM_EVENTS_QUARANTINE)


def _litellm_row(record: dict[str, Any], source_file: str, where: str) -> tuple[dict[str, Any], list[str]]:
    reasons: list[str] = []
    metadata = _json_field(record.get("metadata"), source_file, where, "metadata") or {}
    tags = _json_field(record.get("request_tags"), source_file, where, "request_tags") or []
    usage = metadata.get("usage_object") if isinstance(metadata.get("usage_object"), dict) else {}
    extra = metadata.get("additional_usage_values") if isinstance(metadata.get("additional_usage_values"), dict) else {}
    custom = metadata.get("spend_logs_metadata") if isinstance(metadata.get("spend_logs_metadata"), dict) else {}

    event_at, problem = _litellm_timestamp(record.get("startTime"))
    if problem:
        reasons.append(problem)
    event_id = _text(record.get("request_id"))
    if event_id is None:
        reasons.append("missing_event_id")

    provider_raw = (_text(record.get("custom_llm_provider")) or "").strip().lower()
    model = _text(record.get("model"))
    if model and provider_raw and model.lower().startswith(provider_raw + "/"):
        model = model[len(provider_raw) + 1:]
    if not provider_raw and model and "/" in model and model.split("/", 1)[0].lower() in LITELLM_PROVIDERS:
        provider_raw, model = model.split("/", 1)[0].lower(), model.split("/", 1)[1]
    request_model = _text(record.get("model_group")) or model
    if model is None and request_model is None:
        reasons.append("missing_model")

    def first(*candidates: Any) -> Any:
        return next((c for c in candidates if c not in (None, "")), None)

    counts = {
        "input_tokens": _litellm_count(record.get("prompt_tokens")),
        "output_tokens": _litellm_count(record.get("completion_tokens")),
        "cache_read_input_tokens": _litellm_count(first(
            record.get("cache_read_input_tokens"), usage.get("cache_read_input_tokens"),
            extra.get("cache_read_input_tokens"), _dig(usage, "prompt_tokens_details", "cached_tokens"))),
        "cache_creation_input_tokens": _litellm_count(first(
            record.get("cache_creation_input_tokens"), usage.get("cache_creation_input_tokens"),
            extra.get("cache_creation_input_tokens"), _dig(usage, "prompt_tokens_details", "cache_write_tokens"))),
        "cache_creation_1h_input_tokens": _litellm_count(first(
            _dig(usage, "cache_creation_token_details", "ephemeral_1h_input_tokens"),
            _dig(extra, "cache_creation_token_details", "ephemeral_1h_input_tokens"))),
        "reasoning_output_tokens": _litellm_count(first(
            _dig(usage, "completion_tokens_details", "reasoning_tokens"), extra.get("reasoning_tokens"))),
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
        "conversation_id": _text(first(record.get("session_id"), custom.get("gen_ai.conversation.id"))),
        "tenant_id": _text(tenant),
        "feature_id": _text(feature),
        "service_tier": _text(first(breakdown.get("service_tier"), usage.get("service_tier"))),
        "is_batch": "batch" in call_type,
        "cost_usd": None,
        "attributes": json.dumps(record, sort_keys=True, default=_json_default),
        "source_file": source_file,
    }
    return row, reasons


def _litellm_timestamp(value: Any) -> tuple[datetime | None, str | None]:
    if value is None or value == "":
        return None, "missing_timestamp"
    if not isinstance(value, str):
        return None, "invalid_timestamp"
    try:
        parsed = datetime.fromisoformat(value.strip().upper().replace(" ", "T"))
    except ValueError:
        return None, "invalid_timestamp"
    if parsed.tzinfo is None:  # Prisma DateTime is stored in UTC (module docstring)
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc), None


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
    return _count(value)


def _tag_values(tags: Any) -> dict[str, str]:
    """``request_tags`` like ``["tenant:acme", "feature:chat"]`` → {"tenant": "acme", "feature": "chat"}."""
    out: dict[str, str] = {}
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, str) and ":" in tag:
            key, value = tag.split(":", 1)
            out.setdefault(key.strip().lower(), value.strip())
    return out


# ------------------------------------------------------------------------------------------------ usage pages


def parse_openai_usage_page(data: bytes, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An OpenAI ``/organization/usage/completions`` page → (events, quarantine); one row per bucket result."""
    events, quarantined = [], []
    for bucket, start, end, result in _openai_buckets(data, source_file, "organization.usage.completions.result"):
        input_total = _count(result.get("input_tokens"))
        cached = _count(result.get("input_cached_tokens"))
        written = _count(result.get("input_cache_write_tokens"))
        uncached = _count(result.get("input_uncached_tokens"))
        counts = {
            # a page without input_tokens still adds up from its parts
            "input_tokens": input_total if result.get("input_tokens") is not None else _sum(uncached, cached, written),
            "output_tokens": _count(result.get("output_tokens")),
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
        calls = _count(result.get("num_model_requests"))
        if calls is None or calls < 0:
            reasons.append("invalid_request_count")
        batch = result.get("batch")
        row = _usage_row(
            "openai_usage", "openai", start, end, result, bucket, OPENAI_USAGE_GROUP_KEYS, counts, calls,
            service_tier=_text(result.get("service_tier")),
            is_batch=batch if isinstance(batch, bool) else None,
            source_file=source_file,
        )
        if row["response_model"] is None:
            reasons.insert(0, "missing_model")
        _route(row, reasons, events, quarantined)
    return _frame(events, LLM_EVENTS), _frame(quarantined, LLM_EVENTS_QUARANTINE)


def parse_anthropic_usage_page(data: bytes, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An Anthropic ``usage_report/messages`` page → (events, quarantine); one row per bucket result."""
    events, quarantined = [], []
    for bucket, start, end, result in _anthropic_buckets(data, source_file):
        read = _count(result.get("cache_read_input_tokens"))
        write_5m = _count(_dig(result, "cache_creation", "ephemeral_5m_input_tokens"))
        write_1h = _count(_dig(result, "cache_creation", "ephemeral_1h_input_tokens"))
        counts = {
            "input_tokens": _sum(_count(result.get("uncached_input_tokens")), read, write_5m, write_1h),
            "output_tokens": _count(result.get("output_tokens")),
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": _sum(write_5m, write_1h),
            "cache_creation_1h_input_tokens": write_1h,
            "reasoning_output_tokens": 0,
        }
        if any(v is None for v in (_count(result.get("uncached_input_tokens")), write_5m, write_1h)):
            counts["input_tokens"] = None
        reasons = token_problems(counts)
        tier = _text(result.get("service_tier"))
        row = _usage_row(
            "anthropic_usage", "anthropic", start, end, result, bucket, ANTHROPIC_USAGE_GROUP_KEYS, counts, None,
            service_tier=tier, is_batch=(tier or "").lower() == "batch", source_file=source_file,
        )
        if row["response_model"] is None:
            reasons.insert(0, "missing_model")
        _route(row, reasons, events, quarantined)
    return _frame(events, LLM_EVENTS), _frame(quarantined, LLM_EVENTS_QUARANTINE)


def _usage_row(source_format: str, provider: str, start: datetime, end: datetime | None, result: dict[str, Any],
               bucket: dict[str, Any], group_keys: Iterable[str], counts: dict[str, int | None], calls: int | None,
               service_tier: str | None, is_batch: bool | None, source_file: str) -> dict[str, Any]:
    group = {k: result.get(k) for k in group_keys}
    identity = json.dumps([start.isoformat(), end.isoformat() if end else None, group], sort_keys=True,
                          default=_json_default)
    record = {**result, **_bucket_bounds(bucket)}
    return {
        "event_id": f"{source_format}:{start.strftime('%Y-%m-%dT%H:%M:%SZ')}:{_digest(identity)}",
        "event_at": start,
        "usage_date": start.date(),
        "source_format": source_format,
        "provider_name": provider,
        "request_model": _text(result.get("model")),
        "response_model": _text(result.get("model")),
        **counts,
        "calls": calls,
        "conversation_id": None,
        "tenant_id": None,
        "feature_id": None,
        "service_tier": service_tier,
        "is_batch": is_batch,
        "cost_usd": None,
        "attributes": json.dumps(record, sort_keys=True, default=_json_default),
        "source_file": source_file,
    }


def _route(row: dict[str, Any], reasons: list[str], events: list, quarantined: list) -> None:
    if reasons:
        row["reason"] = reasons[0]
        quarantined.append(row)
    else:
        events.append(row)


# ------------------------------------------------------------------------------------------------- cost pages


def parse_openai_costs_page(data: bytes, source_file: str) -> pl.DataFrame:
    """An OpenAI ``/organization/costs`` page → LLM_COST_REPORTS rows (``amount.value`` is in dollars)."""
    rows = []
    for bucket, start, end, result in _openai_buckets(data, source_file, "organization.costs.result"):
        amount = result.get("amount")
        if not isinstance(amount, dict):
            raise LandingFileError(
                source_file, f"bucket {start.isoformat()}: a costs result without an 'amount' object"
            )
        value = _decimal(amount.get("value"), source_file, f"bucket {start.isoformat()}: amount.value")
        rows.append(_cost_row(
            "openai_costs", "openai", start, end, result, bucket,
            amount_usd=value, as_reported=_number_text(amount.get("value")), currency=amount.get("currency"),
            line_item=result.get("line_item"), source_file=source_file,
        ))
    return _cost_frame(rows)


def parse_anthropic_cost_report(data: bytes, source_file: str) -> pl.DataFrame:
    """An Anthropic ``cost_report`` page → LLM_COST_REPORTS rows; ``amount`` is in cents (a decimal string)."""
    rows = []
    for bucket, start, end, result in _anthropic_buckets(data, source_file):
        cents = _decimal(result.get("amount"), source_file, f"bucket {start.isoformat()}: amount")
        rows.append(_cost_row(
            "anthropic_costs", "anthropic", start, end, result, bucket,
            amount_usd=cents / _CENTS_PER_DOLLAR, as_reported=_number_text(result.get("amount")),
            currency=result.get("currency"), line_item=result.get("description"), source_file=source_file,
        ))
    return _cost_frame(rows)


def _cost_row(source_format: str, provider: str, start: datetime, end: datetime | None, result: dict[str, Any],
              bucket: dict[str, Any], amount_usd: Decimal, as_reported: str | None, currency: Any,
              line_item: Any, source_file: str) -> dict[str, Any]:
    currency_text = str(currency or "").strip().upper()
    if currency_text != "USD":
        raise LandingFileError(
            source_file, f"bucket {start.isoformat()}: currency {currency!r}; unitcost's LLM costs are in USD"
        )
    identity_keys = ("line_item", "description", "project_id", "workspace_id", "api_key_id", "cost_type",
                     "token_type", "model", "service_tier", "context_window", "inference_geo", "quantity_unit")
    identity = json.dumps([start.isoformat(), end.isoformat() if end else None,
                           {k: result.get(k) for k in identity_keys}], sort_keys=True, default=_json_default)
    quantity = result.get("quantity")
    return {
        "report_row_id": f"{source_format}:{start.strftime('%Y-%m-%dT%H:%M:%SZ')}:{_digest(identity)}",
        "source_format": source_format,
        "provider": provider,
        "bucket_start": start,
        "bucket_end": end,
        "usage_date": start.date(),
        "amount_usd": amount_usd.quantize(_NANO, rounding=ROUND_HALF_UP),
        "amount_as_reported": as_reported,
        "currency": currency_text,
        "cost_type": _text(result.get("cost_type")),
        "line_item": _text(line_item),
        "token_type": _text(result.get("token_type")),
        "model": _text(result.get("model")),
        "service_tier": _text(result.get("service_tier")),
        "context_window": _text(result.get("context_window")),
        "project_id": _text(result.get("project_id")),
        "workspace_id": _text(result.get("workspace_id")),
        "api_key_id": _text(result.get("api_key_id")),
        "quantity": (
            float(quantity) if isinstance(quantity, (int, Decimal)) and not isinstance(quantity, bool) else None
        ),
        "quantity_unit": _text(result.get("quantity_unit")),
        "attributes": json.dumps({**result, **_bucket_bounds(bucket)}, sort_keys=True, default=_json_default),
        "source_file": source_file,
    }


def _cost_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return _frame(rows, LLM_COST_REPORTS)


# ------------------------------------------------------------------------------------- several pages together


def keep_latest(frames: list[pl.DataFrame], key: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pages in file-name order (name files by fetch time): a row whose `key` a later page has again is replaced
    by it — a re-fetched page restates a bucket, it does not add to it. Returns (kept, replaced)."""
    if not frames:
        raise ValueError("keep_latest needs at least one frame (an empty one carries the schema)")
    stacked = pl.concat(frames, how="vertical")
    last = stacked.select(pl.col(key).is_last_distinct()).to_series()
    return stacked.filter(last), stacked.filter(~last)


# ------------------------------------------------------------------------------------------------------ helpers


def _openai_buckets(data: bytes, source_file: str, result_object: str):
    page = _json(_utf8(data, source_file), source_file)
    buckets = page.get("data") if isinstance(page, dict) else None
    if not isinstance(buckets, list):
        raise LandingFileError(source_file, "expected an OpenAI page: {\"object\": \"page\", \"data\": [buckets]}")
    for i, bucket in enumerate(buckets):
        if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
            raise LandingFileError(source_file, f"data[{i}]: expected a bucket with a 'results' list")
        start = _unix(bucket.get("start_time"), source_file, f"data[{i}].start_time")
        end = _unix(bucket.get("end_time"), source_file, f"data[{i}].end_time") if bucket.get("end_time") else None
        for j, result in enumerate(bucket["results"]):
            if not isinstance(result, dict):
                raise LandingFileError(source_file, f"data[{i}].results[{j}]: expected an object")
            kind = result.get("object")
            if kind is not None and kind != result_object:
                raise LandingFileError(
                    source_file, f"data[{i}].results[{j}]: object {kind!r}, expected {result_object!r}"
                )
            yield bucket, start, end, result


def _anthropic_buckets(data: bytes, source_file: str):
    page = _json(_utf8(data, source_file), source_file)
    buckets = page.get("data") if isinstance(page, dict) else None
    if not isinstance(buckets, list):
        raise LandingFileError(source_file, "expected an Anthropic report page: {\"data\": [buckets], ...}")
    for i, bucket in enumerate(buckets):
        if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
            raise LandingFileError(source_file, f"data[{i}]: expected a bucket with a 'results' list")
        start = _rfc3339(bucket.get("starting_at"), source_file, f"data[{i}].starting_at")
        end = (_rfc3339(bucket.get("ending_at"), source_file, f"data[{i}].ending_at")
               if bucket.get("ending_at") else None)
        for j, result in enumerate(bucket["results"]):
            if not isinstance(result, dict):
                raise LandingFileError(source_file, f"data[{i}].results[{j}]: expected an object")
            yield bucket, start, end, result


def _bucket_bounds(bucket: dict[str, Any]) -> dict[str, Any]:
    return {k: bucket[k] for k in ("start_time", "end_time", "starting_at", "ending_at") if k in bucket}


def _unix(value: Any, source_file: str, where: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise LandingFileError(source_file, f"{where}: expected unix seconds, found {value!r}")
    return datetime.fromtimestamp(int(value), tz=timezone.utc)


def _rfc3339(value: Any, source_file: str, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).strip().upper())
    except ValueError as exc:
        raise LandingFileError(source_file, f"{where}: {value!r} is not an RFC 3339 timestamp") from exc
    if parsed.tzinfo is None:
        raise LandingFileError(source_file, f"{where}: {value!r} has no UTC offset")
    return parsed.astimezone(timezone.utc)


def _decimal(value: Any, source_file: str, where: str) -> Decimal:
    try:
        if isinstance(value, bool) or value is None:
            raise InvalidOperation
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
        if not amount.is_finite() or abs(amount) >= Decimal(10) ** 29:
            raise InvalidOperation
    except (InvalidOperation, TypeError) as exc:
        raise LandingFileError(source_file, f"{where}: {value!r} is not a decimal amount") from exc
    return amount


def _number_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _sum(*values: int | None) -> int | None:
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def _dig(value: Any, *path: str) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _utf8(data: bytes, source_file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LandingFileError(source_file, f"not UTF-8 text ({exc})") from exc


def _json(text: str, source_file: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise LandingFileError(
            source_file, f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from exc


def _json_field(value: Any, source_file: str, where: str, column: str) -> Any:
    """A JSON column: an object/list as is (JSON exports) or JSON text (CSV exports); empty → None."""
    if value is None or isinstance(value, (dict, list)):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return json.loads(value, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise LandingFileError(source_file, f"{where}, column {column}: not valid JSON ({exc.msg})") from exc
    return None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")

