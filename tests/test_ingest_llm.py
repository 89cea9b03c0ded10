"""Native LLM usage JSONL: OTel-inclusive counts, UTC days, quarantine rules."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import polars as pl
import pytest

from ingest.errors import LandingFileError
from ingest.llm.native import parse_native_jsonl
from ingest.schemas import LLM_EVENTS, LLM_EVENTS_QUARANTINE

UTC = timezone.utc
SOURCE = "2026-10-01/app-1.jsonl"


def event(**overrides) -> dict:
    base = {
        "timestamp": "2026-10-01T12:00:00Z",
        "event_id": "evt-1",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.response.model": "claude-sonnet-4-5-20250929",
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.output_tokens": 300,
        "gen_ai.usage.cache_read.input_tokens": 600,
        "gen_ai.usage.cache_creation.input_tokens": 200,
        "cache_creation_1h.input_tokens": 50,
        "gen_ai.usage.reasoning.output_tokens": 100,
        "gen_ai.conversation.id": "conv-9",
        "tenant.id": "acme",
        "feature.id": "chat",
        "service_tier": "priority",
        "batch": False,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


def jsonl(*records) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode() + b"\n"


def parse(*records):
    return parse_native_jsonl(jsonl(*records), SOURCE)


def test_a_full_event_maps_every_key():
    line = event(cost_usd=0.0123456785, **{"x.deployment": "eu-1"})
    events, quarantine = parse(line)
    assert quarantine.height == 0
    assert events.schema == pl.Schema(LLM_EVENTS)
    row = events.row(0, named=True)
    assert row["event_id"] == "evt-1"
    assert row["event_at"] == datetime(2026, 10, 1, 12, tzinfo=UTC)
    assert row["usage_date"] == date(2026, 10, 1)
    assert row["source_format"] == "native"
    assert row["provider_name"] == "anthropic"
    assert (row["request_model"], row["response_model"]) == ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929")
    assert (row["input_tokens"], row["output_tokens"]) == (1000, 300)
    assert (row["cache_read_input_tokens"], row["cache_creation_input_tokens"]) == (600, 200)
    assert (row["cache_creation_1h_input_tokens"], row["reasoning_output_tokens"]) == (50, 100)
    assert row["calls"] == 1
    assert (row["conversation_id"], row["tenant_id"], row["feature_id"]) == ("conv-9", "acme", "chat")
    assert (row["service_tier"], row["is_batch"]) == ("priority", False)
    assert row["cost_usd"] == Decimal("0.012345679")  # from the JSON text, half away from zero
    assert json.loads(row["attributes"]) == line  # unknown keys kept
    assert row["source_file"] == SOURCE


def test_timestamp_with_offset_lands_on_its_utc_day():
    events, _ = parse(
        event(timestamp="2026-10-01T23:30:00-02:00"),
        event(event_id="evt-2", timestamp="2026-10-02T00:30:00+02:00"),
    )
    assert events["event_at"].to_list() == [
        datetime(2026, 10, 2, 1, 30, tzinfo=UTC),
        datetime(2026, 10, 1, 22, 30, tzinfo=UTC),
    ]
    assert events["usage_date"].to_list() == [date(2026, 10, 2), date(2026, 10, 1)]


def test_missing_token_keys_count_zero_and_optional_fields_stay_null():
    minimal = {"timestamp": "2026-10-01T00:00:00.123456Z", "event_id": "m", "gen_ai.request.model": "gpt-5"}
    events, quarantine = parse(minimal)
    assert quarantine.height == 0
    row = events.row(0, named=True)
    for column in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens",
                   "cache_creation_1h_input_tokens", "reasoning_output_tokens"):
        assert row[column] == 0
    assert row["cost_usd"] is None and row["is_batch"] is None and row["service_tier"] is None
    assert row["response_model"] is None


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"gen_ai.usage.cache_read.input_tokens": 900}, "cache_exceeds_input"),  # 900 + 200 > 1000
        ({"gen_ai.usage.reasoning.output_tokens": 301}, "reasoning_exceeds_output"),
        ({"cache_creation_1h.input_tokens": 201}, "cache_1h_exceeds_cache_creation"),
        ({"gen_ai.usage.output_tokens": -1, "gen_ai.usage.reasoning.output_tokens": 0}, "negative_token_count"),
        ({"gen_ai.usage.input_tokens": 12.5}, "invalid_token_count"),
        ({"gen_ai.usage.input_tokens": "1000"}, "invalid_token_count"),
        ({"gen_ai.request.model": ..., "gen_ai.response.model": ...}, "missing_model"),
        ({"gen_ai.request.model": "", "gen_ai.response.model": None}, "missing_model"),
        ({"timestamp": ...}, "missing_timestamp"),
        ({"timestamp": "2026-10-01T12:00:00"}, "naive_timestamp"),
        ({"timestamp": "2026-10-01"}, "naive_timestamp"),
        ({"timestamp": "yesterday"}, "invalid_timestamp"),
        ({"timestamp": 1790000000}, "invalid_timestamp"),
        ({"event_id": ...}, "missing_event_id"),
        ({"batch": "yes"}, "invalid_batch"),
        ({"cost_usd": "free"}, "invalid_cost_usd"),
    ],
)
def test_each_rule_quarantines_with_its_reason(overrides, reason):
    events, quarantine = parse(event(event_id="good"), event(**{"event_id": "bad", **overrides}))
    assert events["event_id"].to_list() == ["good"]
    assert quarantine.schema == pl.Schema(LLM_EVENTS_QUARANTINE)
    assert quarantine["reason"].to_list() == [reason]
    assert quarantine["source_file"].to_list() == [SOURCE]


def test_cache_exactly_equal_to_input_is_fine():
    events, quarantine = parse(event(**{"gen_ai.usage.cache_read.input_tokens": 800}))  # 800 + 200 = 1000
    assert (events.height, quarantine.height) == (1, 0)


def test_whole_number_floats_are_counts():
    events, _ = parse(event(**{"gen_ai.usage.input_tokens": 1000.0}))
    assert events["input_tokens"].to_list() == [1000]


def test_a_quarantined_row_keeps_what_could_be_read():
    _, quarantine = parse(event(**{"gen_ai.usage.reasoning.output_tokens": 500}))
    row = quarantine.row(0, named=True)
    assert row["reason"] == "reasoning_exceeds_output"
    assert row["event_at"] == datetime(2026, 10, 1, 12, tzinfo=UTC)
    assert (row["output_tokens"], row["reasoning_output_tokens"]) == (300, 500)
    assert row["tenant_id"] == "acme"


def test_duplicate_event_ids_keep_the_first_and_quarantine_the_rest():
    events, quarantine = parse(
        event(event_id="a", **{"tenant.id": "first"}),
        event(event_id="b"),
        event(event_id="a", **{"tenant.id": "second"}),
        event(event_id="a", **{"tenant.id": "third"}),
    )
    assert events.select("event_id", "tenant_id").rows() == [("a", "first"), ("b", "acme")]
    assert quarantine.select("event_id", "tenant_id", "reason").rows() == [
        ("a", "second", "duplicate_event_id"),
        ("a", "third", "duplicate_event_id"),
    ]


def test_invalid_json_line_raises_naming_file_and_line():
    with pytest.raises(LandingFileError) as excinfo:
        parse_native_jsonl(jsonl(event(), "", '{"timestamp": "2026-10-01T00:00:00Z", "event_id": '), SOURCE)
    assert excinfo.value.path == SOURCE
    assert "line 3" in str(excinfo.value)
    with pytest.raises(LandingFileError, match="line 1: expected one JSON object per line"):
        parse_native_jsonl(b"[1, 2]\n", SOURCE)


def test_blank_lines_and_crlf_are_ignored_and_empty_input_gives_empty_frames():
    data = b"\r\n" + json.dumps(event()).encode() + b"\r\n\r\n"
    events, quarantine = parse_native_jsonl(data, SOURCE)
    assert (events.height, quarantine.height) == (1, 0)
    events, quarantine = parse_native_jsonl(b"", SOURCE)
    assert events.schema == pl.Schema(LLM_EVENTS) and events.height == 0
    assert quarantine.schema == pl.Schema(LLM_EVENTS_QUARANTINE) and quarantine.height == 0


# ------------------------------------------------------------------------------------------------------------
# a writer's side: a provider response's usage block as the native format's OTel-inclusive keys

from ingest.llm.tokens import otel_usage_from_response  # noqa: E402


def test_openai_usage_is_already_inclusive():
    usage = {"prompt_tokens": 4020, "completion_tokens": 40,
             "prompt_tokens_details": {"cached_tokens": 4012, "cache_write_tokens": 0},
             "completion_tokens_details": {"reasoning_tokens": 22}}
    assert otel_usage_from_response(usage, "openai_chat") == {
        "gen_ai.usage.input_tokens": 4020, "gen_ai.usage.output_tokens": 40,
        "gen_ai.usage.cache_read.input_tokens": 4012, "gen_ai.usage.cache_creation.input_tokens": 0,
        "cache_creation_1h.input_tokens": 0, "gen_ai.usage.reasoning.output_tokens": 22}


def test_anthropic_input_excludes_cache_so_it_is_added_and_the_nested_split_counted_once():
    usage = {"input_tokens": 3, "cache_read_input_tokens": 1111, "cache_creation_input_tokens": 418,
             "cache_creation": {"ephemeral_5m_input_tokens": 318, "ephemeral_1h_input_tokens": 100},
             "output_tokens": 33}
    out = otel_usage_from_response(usage, "anthropic")
    assert out["gen_ai.usage.input_tokens"] == 3 + 1111 + 418
    assert (out["gen_ai.usage.cache_creation.input_tokens"], out["cache_creation_1h.input_tokens"]) == (418, 100)
    # only the nested split given: its sum is the cache creation
    del usage["cache_creation_input_tokens"]
    assert otel_usage_from_response(usage, "anthropic")["gen_ai.usage.input_tokens"] == 1532


def test_gemini_thoughts_are_added_to_candidates():
    out = otel_usage_from_response({"promptTokenCount": 373, "cachedContentTokenCount": 204,
                                    "candidatesTokenCount": 89, "thoughtsTokenCount": 167}, "gemini")
    assert (out["gen_ai.usage.input_tokens"], out["gen_ai.usage.cache_read.input_tokens"]) == (373, 204)
    assert (out["gen_ai.usage.output_tokens"], out["gen_ai.usage.reasoning.output_tokens"]) == (256, 167)
    with pytest.raises(ValueError, match="api_flavor"):
        otel_usage_from_response({}, "bedrock")
