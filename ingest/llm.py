"""Native LLM usage events (JSONL, DESIGN.md §1) to ``raw.llm_events`` and ``raw.llm_events_quarantine``.

One flat JSON object per line; dotted keys are literal key names (``"gen_ai.usage.input_tokens": 1200``). Counts
are OTel-inclusive whatever the provider: input includes cache reads and writes, output includes reasoning.
Files sit at ``<uri>/<YYYY-MM-DD>/*.jsonl``; an event belongs to the UTC day of its own ``timestamp``, not to its
folder.

A line that is not JSON makes the whole file unreadable (LandingFileError with the line number): a truncated
or corrupted file must not load half-way. A line that is JSON but not a usable event is quarantined with one
``reason`` (the first rule it breaks, in this order) and never priced:

- ``missing_timestamp`` / ``invalid_timestamp`` / ``naive_timestamp``: ``timestamp`` must be RFC 3339 **with** a UTC
  offset (``Z`` or ``+02:00``). A timestamp without an offset is refused rather than guessed: reading it as UTC
  would silently move a writer's local-time events to another day, and the day is the partition.
- ``missing_event_id``: without ``event_id`` an event cannot be deduplicated across the neighbouring days' folders
  that a day's run reads.
- ``missing_model``: neither ``gen_ai.request.model`` nor ``gen_ai.response.model``.
- ``invalid_token_count``: a count that is not a whole number; ``negative_token_count``: any count below 0.
- ``cache_exceeds_input``: cache read + cache creation > input; ``reasoning_exceeds_output``: reasoning > output;
  ``cache_1h_exceeds_cache_creation``: the 1-hour part of cache creation > cache creation.
- ``invalid_batch`` (``batch`` not a boolean), ``invalid_cost_usd`` (``cost_usd`` not a decimal number).
- ``duplicate_event_id``: a later line whose ``event_id`` an earlier line of the same data already had (the
  first line keeps the id, whether or not it was itself valid).

A missing token key counts 0. ``attributes`` keeps the whole original line (unknown keys included).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.schemas import LLM_EVENTS, LLM_EVENTS_QUARANTINE, conform

_NANO = Decimal("0.000000001")

# column -> native key, for the token counts (all OTel-inclusive)
TOKEN_KEYS = {
    "input_tokens": "gen_ai.usage.input_tokens",
    "output_tokens": "gen_ai.usage.output_tokens",
    "cache_read_input_tokens": "gen_ai.usage.cache_read.input_tokens",
    "cache_creation_input_tokens": "gen_ai.usage.cache_creation.input_tokens",
    "cache_creation_1h_input_tokens": "cache_creation_1h.input_tokens",
    "reasoning_output_tokens": "gen_ai.usage.reasoning.output_tokens",
}
TEXT_KEYS = {
    "provider_name": "gen_ai.provider.name",
    "request_model": "gen_ai.request.model",
    "response_model": "gen_ai.response.model",
    "conversation_id": "gen_ai.conversation.id",
    "tenant_id": "tenant.id",
    "feature_id": "feature.id",
    "service_tier": "service_tier",
}


def parse_native_jsonl(data: bytes, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Native JSONL → (LLM_EVENTS rows, LLM_EVENTS_QUARANTINE rows). See the module docstring for the rules."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    events: list[dict[str, Any]] = []
    quarantined: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        raw_line = raw_line.strip()
        if not raw_line:
            continue
        try:
            line = raw_line.decode("utf-8")
            record = json.loads(line, parse_float=Decimal)
        except UnicodeDecodeError as exc:
            raise LandingFileError(source_file, f"line {number}: not UTF-8 text ({exc})") from exc
        except json.JSONDecodeError as exc:
            raise LandingFileError(
                source_file, f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from exc
        if not isinstance(record, dict):
            raise LandingFileError(
                source_file, f"line {number}: expected one JSON object per line, found {type(record).__name__}"
            )
        row, reasons = _event(record, line, source_file)
        event_id = row["event_id"]
        if event_id is not None:
            if event_id in seen_ids:
                reasons.append("duplicate_event_id")
            seen_ids.add(event_id)
        if reasons:
            row["reason"] = reasons[0]
            quarantined.append(row)
        else:
            events.append(row)
    return _frame(events, LLM_EVENTS), _frame(quarantined, LLM_EVENTS_QUARANTINE)


def _event(record: dict[str, Any], line: str, source_file: str) -> tuple[dict[str, Any], list[str]]:
    reasons: list[str] = []
    event_at, problem = _timestamp(record.get("timestamp"))
    if problem:
        reasons.append(problem)
    event_id = _text(record.get("event_id"))
    if event_id is None:
        reasons.append("missing_event_id")
    row: dict[str, Any] = {
        "event_id": event_id,
        "event_at": event_at,
        "usage_date": event_at.date() if event_at else None,
        "source_format": "native",
        "calls": 1,
        "attributes": line,
        "source_file": source_file,
    }
    for column, key in TEXT_KEYS.items():
        row[column] = _text(record.get(key))
    if row["request_model"] is None and row["response_model"] is None:
        reasons.append("missing_model")

    counts = {column: _count(record.get(key)) for column, key in TOKEN_KEYS.items()}
    row.update(counts)
    reasons.extend(token_problems(counts))

    batch = record.get("batch")
    if batch is None or isinstance(batch, bool):
        row["is_batch"] = batch
    else:
        row["is_batch"] = None
        reasons.append("invalid_batch")

    cost, ok = _cost(record.get("cost_usd"))
    row["cost_usd"] = cost
    if not ok:
        reasons.append("invalid_cost_usd")
    return row, reasons


def token_problems(counts: dict[str, int | None]) -> list[str]:
    """The quarantine reasons of an OTel-inclusive token vector (the TOKEN_KEYS columns; None = not a whole number).

    Shared by every LLM format: each parser first turns its provider's convention into this vector.
    """
    values = list(counts.values())
    if any(v is None for v in values):
        return ["invalid_token_count"]
    if any(v < 0 for v in values):
        return ["negative_token_count"]
    reasons = []
    if counts["cache_read_input_tokens"] + counts["cache_creation_input_tokens"] > counts["input_tokens"]:
        reasons.append("cache_exceeds_input")
    if counts["reasoning_output_tokens"] > counts["output_tokens"]:
        reasons.append("reasoning_exceeds_output")
    if counts["cache_creation_1h_input_tokens"] > counts["cache_creation_input_tokens"]:
        reasons.append("cache_1h_exceeds_cache_creation")
    return reasons


# How each provider API counts (DESIGN.md §1, research/llm_cost.md §4.6): OpenAI's input includes cached and
# cache-write tokens and its output includes reasoning; Anthropic's input_tokens excludes cache reads and writes;
# Gemini's thoughts are added to the candidates, not inside them.
API_FLAVORS = ("openai_chat", "openai_responses", "anthropic", "gemini")


def otel_usage_from_response(usage: dict[str, Any], api_flavor: str) -> dict[str, int]:
    """A provider response's usage block → the native format's OTel-inclusive token keys.

    What a writer of the native format does before logging: ``usage`` is the response's ``usage`` object
    (``usageMetadata`` for Gemini), ``api_flavor`` one of API_FLAVORS. Missing counts are 0.
    """

    def n(*path: str) -> int:
        value: Any = usage
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return int(value or 0)

    if api_flavor == "openai_chat":
        vector = (n("prompt_tokens"), n("completion_tokens"), n("prompt_tokens_details", "cached_tokens"),
                  n("prompt_tokens_details", "cache_write_tokens"), 0,
                  n("completion_tokens_details", "reasoning_tokens"))
    elif api_flavor == "openai_responses":
        vector = (n("input_tokens"), n("output_tokens"), n("input_tokens_details", "cached_tokens"),
                  n("input_tokens_details", "cache_write_tokens"), 0,
                  n("output_tokens_details", "reasoning_tokens"))
    elif api_flavor == "anthropic":
        # cache_creation_input_tokens is the total of the nested 5m/1h split: count it once
        creation = n("cache_creation_input_tokens") or (
            n("cache_creation", "ephemeral_5m_input_tokens") + n("cache_creation", "ephemeral_1h_input_tokens"))
        read = n("cache_read_input_tokens")
        vector = (n("input_tokens") + read + creation, n("output_tokens"), read, creation,
                  n("cache_creation", "ephemeral_1h_input_tokens"), 0)
    elif api_flavor == "gemini":
        thoughts = n("thoughtsTokenCount")
        vector = (n("promptTokenCount"), n("candidatesTokenCount") + thoughts, n("cachedContentTokenCount"), 0, 0,
                  thoughts)
    else:
        raise ValueError(f"api_flavor {api_flavor!r}: expected one of {', '.join(API_FLAVORS)}")
    return dict(zip(TOKEN_KEYS.values(), vector, strict=True))


def _timestamp(value: Any) -> tuple[datetime | None, str | None]:
    if value is None or value == "":
        return None, "missing_timestamp"
    if not isinstance(value, str):
        return None, "invalid_timestamp"
    try:
        # RFC 3339 allows a lower-case t/z; fromisoformat wants upper case
        parsed = datetime.fromisoformat(value.strip().upper())
    except ValueError:
        return None, "invalid_timestamp"
    if parsed.tzinfo is None:
        return None, "naive_timestamp"
    return parsed.astimezone(timezone.utc), None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _count(value: Any) -> int | None:
    """A token count: absent → 0, a whole number (``12`` or ``12.0``) → int, anything else → None (invalid)."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, int) and abs(value) < 2**63:
        return value
    return None


def _cost(value: Any) -> tuple[Decimal | None, bool]:
    if value is None or value == "":
        return None, True
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        return None, False
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        return None, False
    if not amount.is_finite() or abs(amount) >= Decimal(10) ** 29:
        return None, False
    return amount.quantize(_NANO, rounding=ROUND_HALF_UP), True


def _frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    columns = {name: [row.get(name) for row in rows] for name in schema}
    return conform(pl.DataFrame(columns, schema=schema), schema)
