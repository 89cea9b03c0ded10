"""Native LLM usage events (JSONL, docs/llm.md) to ``raw.llm_events`` and ``raw.llm_events_quarantine``.

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

A missing token key counts 0. ``attributes`` keeps the whole original line (unknown keys included). The token
rules are tokens.py's, shared with the other formats (litellm.py, usage_pages.py).

A file whose values are all of their plain JSON types is read whole by polars (native_fast.py, the same rules as
column expressions, tested to give the same frames); any other file is read line by line here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.llm.events import event_time, split_events
from ingest.llm.native_fast import parse_plain_native
from ingest.llm.tokens import TOKEN_KEYS, token_problems
from ingest.values import count, decimal_amount, load_json, text, to_nano, utf8_text

TEXT_KEYS = {
    "provider_name": "gen_ai.provider.name",
    "request_model": "gen_ai.request.model",
    "response_model": "gen_ai.response.model",
    "conversation_id": "gen_ai.conversation.id",
    "tenant_id": "tenant.id",
    "feature_id": "feature.id",
    "service_tier": "service_tier",
}
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = " \t\n\r\x0b\x0c"  # what bytes.strip() strips: a line of other Unicode spaces is not blank


def parse_native_jsonl(data: bytes, source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Native JSONL → (LLM_EVENTS rows, LLM_EVENTS_QUARANTINE rows). See the module docstring for the rules.

    A plainly typed file (native_fast.py) is read whole by polars; any other line by line, here."""
    content = utf8_text(data, source_file)
    fast = parse_plain_native(data.removeprefix(_BOM), content, source_file, TEXT_KEYS)
    return fast if fast is not None else parse_native_lines(content, source_file)


def parse_native_lines(content: str, source_file: str, first_line: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The line-by-line reading of a native file's text (or of a batch of its lines starting at line
    `first_line`, native_stream.py): every rule, every error message."""
    return split_events(_rows(content, source_file, first_line))


def _rows(content: str, source_file: str, first_line: int = 1):
    seen_ids: set[str] = set()
    for number, line in enumerate(content.split("\n"), start=first_line):
        line = line.strip(_WHITESPACE)
        if not line:
            continue
        record = load_json(line, source_file, where=f"line {number}", decimals=True)
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
        yield row, reasons


def _event(record: dict[str, Any], line: str, source_file: str) -> tuple[dict[str, Any], list[str]]:
    reasons: list[str] = []
    event_at, problem = event_time(record.get("timestamp"))
    if problem:
        reasons.append(problem)
    event_id = text(record.get("event_id"))
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
        row[column] = text(record.get(key))
    if row["request_model"] is None and row["response_model"] is None:
        reasons.append("missing_model")

    counts = {column: count(record.get(key)) for column, key in TOKEN_KEYS.items()}
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


def _cost(value: Any) -> tuple[Decimal | None, bool]:
    """``cost_usd``: absent → (None, valid); a decimal amount → (it, to the nano-dollar); anything else invalid."""
    if value is None or value == "":
        return None, True
    amount = decimal_amount(value)
    return (None, False) if amount is None else (to_nano(amount), True)
