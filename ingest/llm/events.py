"""The ``raw.llm_events`` / ``raw.llm_events_quarantine`` pair every LLM usage format writes, and its time rule.

A usage row is either an event (priced later, in SQL) or quarantined with one ``reason``: the first rule it breaks,
in the order its parser checks them. ``split_events`` makes the two frames; ``event_time`` is the timestamp rule
whose failures are quarantine reasons rather than errors (a bad row must not fail the other rows of its file).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

import polars as pl

from ingest.schemas import LLM_EVENTS, LLM_EVENTS_QUARANTINE
from ingest.values import frame, parse_rfc3339


def split_events(rows: Iterable[tuple[dict[str, Any], list[str]]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(row, quarantine reasons) pairs → (LLM_EVENTS rows, LLM_EVENTS_QUARANTINE rows with their first reason)."""
    events, quarantined = [], []
    for row, reasons in rows:
        if reasons:
            row["reason"] = reasons[0]
            quarantined.append(row)
        else:
            events.append(row)
    return frame(events, LLM_EVENTS), frame(quarantined, LLM_EVENTS_QUARANTINE)


def event_time(value: Any, *, naive_is_utc: bool = False) -> tuple[datetime | None, str | None]:
    """An RFC 3339 timestamp → (UTC datetime, None), or (None, the quarantine reason).

    ``missing_timestamp`` / ``invalid_timestamp``; ``naive_timestamp`` for one without a UTC offset, unless the
    format documents that it stores UTC (``naive_is_utc``, LiteLLM's Prisma columns).
    """
    if value is None or value == "":
        return None, "missing_timestamp"
    if not isinstance(value, str):
        return None, "invalid_timestamp"
    parsed = parse_rfc3339(value)
    if parsed is None:
        return None, "invalid_timestamp"
    if parsed.tzinfo is None:
        if not naive_is_utc:
            return None, "naive_timestamp"
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc), None
