"""The native JSONL parser's vectorised path (ingest/llm/native_fast.py) gives exactly the rows, columns and
quarantine reasons of the line-by-line rules (native.py), and hands any file it is not sure of to them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.llm.native import TEXT_KEYS, parse_native_jsonl, parse_native_lines
from ingest.llm.native_fast import parse_plain_native
from synthetic import generate

SOURCE = "2026-10-01/app-1.jsonl"


def call(i: int, **overrides) -> dict:
    base = {
        "timestamp": f"2026-10-01T{i % 24:02d}:15:30.250+02:00", "event_id": f"evt-{i}",
        "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4.1", "gen_ai.response.model": "gpt-4.1-x",
        "gen_ai.usage.input_tokens": 1000 + i, "gen_ai.usage.output_tokens": 300,
        "gen_ai.usage.cache_read.input_tokens": 600, "gen_ai.usage.cache_creation.input_tokens": 200,
        "cache_creation_1h.input_tokens": 50, "gen_ai.usage.reasoning.output_tokens": 100,
        "tenant.id": "acme", "feature.id": "chat", "service_tier": "default", "batch": False,
        "gen_ai.operation.name": "chat", "extra": {"nested": [1, 2.5]},
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


# every quarantine rule the vectorised path decides itself, one line each, plus the clean shapes around them
PLAIN_LINES = [
    call(0), call(1, timestamp="2026-10-01T23:59:59Z"), call(2, timestamp="2026-09-30T22:30:00.123456-05:00"),
    call(3, timestamp=...), call(4, timestamp=""), call(5, event_id=...), call(6, event_id=""),
    call(7, **{"gen_ai.request.model": ..., "gen_ai.response.model": ...}),
    call(8, **{"gen_ai.request.model": ...}), call(9, **{"gen_ai.usage.output_tokens": -1}),
    call(10, **{"gen_ai.usage.input_tokens": 700}), call(11, **{"gen_ai.usage.reasoning.output_tokens": 301}),
    call(12, **{"cache_creation_1h.input_tokens": 201}), call(13, event_id="evt-0"), call(14, event_id="evt-5x"),
    call(15, event_id="evt-5x", timestamp=...), call(16, batch=True, **{"tenant.id": ""}),
    call(17, **{"gen_ai.usage.cache_read.input_tokens": ..., "cache_creation_1h.input_tokens": ...}),
    call(18, **{"tenant.id": "ünï", "feature.id": "a \"quoted\" one"}),
]


def _jsonl(records, sep="\n") -> bytes:
    return sep.join(json.dumps(r) for r in records).encode()


def _both(data: bytes):
    return parse_native_jsonl(data, SOURCE), parse_native_lines(data.decode("utf-8-sig"), SOURCE)


def _same(fast, slow):
    for a, b in zip(fast, slow, strict=True):
        assert a.schema == b.schema
        assert a.equals(b)


@pytest.mark.parametrize("data", [
    _jsonl(PLAIN_LINES),
    b"\xef\xbb\xbf" + _jsonl(PLAIN_LINES, sep="\r\n") + b"\r\n\r\n   \n",
])
def test_plain_file_is_read_by_polars_exactly_as_line_by_line(data):
    body = data.removeprefix(b"\xef\xbb\xbf")
    assert parse_plain_native(body, body.decode(), SOURCE, TEXT_KEYS) is not None  # the vectorised path ran
    fast, slow = _both(data)
    _same(fast, slow)
    events, quarantined = fast
    assert events["event_id"].to_list() == ["evt-0", "evt-1", "evt-2", "evt-8", "evt-5x", "evt-16", "evt-17",
                                            "evt-18"]
    assert dict(zip(quarantined["event_id"], quarantined["reason"])) == {
        "evt-3": "missing_timestamp", "evt-4": "missing_timestamp", None: "missing_event_id",
        "evt-7": "missing_model", "evt-9": "negative_token_count", "evt-10": "cache_exceeds_input",
        "evt-11": "reasoning_exceeds_output", "evt-12": "cache_1h_exceeds_cache_creation",
        "evt-0": "duplicate_event_id", "evt-5x": "missing_timestamp",  # its first reason
    }
    assert quarantined.height == 11  # two lines without an event id


@pytest.mark.parametrize("line", [
    call(1, timestamp="2026-10-01T12:00:00"),  # naive: a reason only native.py gives
    call(1, timestamp="2026-10-01t12:00:00z"),  # lower case, read by native.py
    call(1, timestamp="2026-10-01T25:00:00Z"),
    call(1, timestamp=1759320000),
    call(1, **{"gen_ai.usage.input_tokens": "12"}),
    call(1, **{"gen_ai.usage.input_tokens": 12.5}),
    call(1, **{"gen_ai.usage.input_tokens": 10**19}),
    call(1, **{"gen_ai.usage.input_tokens": None}),
    call(1, **{"tenant.id": 42}),
    call(1, batch="yes"),
    call(1, cost_usd="0.0123"),
    call(1, extra={"tenant.id": "other"}),
])
def test_a_file_not_plainly_typed_goes_line_by_line(line):
    data = _jsonl([call(0), line])
    assert parse_plain_native(data, data.decode(), SOURCE, TEXT_KEYS) is None
    _same(*_both(data))


def test_a_repeated_key_goes_line_by_line():
    data = _jsonl([call(0)]) + b'\n{"timestamp": "2026-10-01T01:00:00Z", "event_id": "a", "event_id": "b"}'
    assert parse_plain_native(data, data.decode(), SOURCE, TEXT_KEYS) is None
    _same(*_both(data))


def test_the_generators_files_take_the_vectorised_path_and_match(tmp_path: Path):
    generate(tmp_path, __import__("datetime").date(2026, 10, 1), 2, 5, seed=3)
    files = sorted((tmp_path / "landing" / "llm").glob("*/*.jsonl"))
    assert files
    for path in files:
        data = path.read_bytes()
        assert parse_plain_native(data, data.decode(), str(path), TEXT_KEYS) is not None
        fast, slow = parse_native_jsonl(data, str(path)), parse_native_lines(data.decode(), str(path))
        _same(fast, slow)
