"""The token vector every LLM format is turned into: OTel GenAI counts, inclusive, whoever the provider is.

``input_tokens`` includes cache reads and cache writes; ``output_tokens`` includes reasoning. Each parser first
undoes its provider's convention (docs/llm.md) and then checks the vector with
``token_problems``, so one call is quarantined for the same reason whichever tool logged it.
``otel_usage_from_response`` is what a writer of the native format does with a provider response before logging.
"""

from __future__ import annotations

from typing import Any

from ingest.values import dig

# column -> native key, for the token counts (all OTel-inclusive)
TOKEN_KEYS = {
    "input_tokens": "gen_ai.usage.input_tokens",
    "output_tokens": "gen_ai.usage.output_tokens",
    "cache_read_input_tokens": "gen_ai.usage.cache_read.input_tokens",
    "cache_creation_input_tokens": "gen_ai.usage.cache_creation.input_tokens",
    "cache_creation_1h_input_tokens": "cache_creation_1h.input_tokens",
    "reasoning_output_tokens": "gen_ai.usage.reasoning.output_tokens",
}


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


# How each provider API counts (docs/llm.md): OpenAI's input includes cached and
# cache-write tokens and its output includes reasoning; Anthropic's input_tokens excludes cache reads and writes;
# Gemini's thoughts are added to the candidates, not inside them.
API_FLAVORS = ("openai_chat", "openai_responses", "anthropic", "gemini")


def otel_usage_from_response(usage: dict[str, Any], api_flavor: str) -> dict[str, int]:
    """A provider response's usage block → the native format's OTel-inclusive token keys.

    What a writer of the native format does before logging: ``usage`` is the response's ``usage`` object
    (``usageMetadata`` for Gemini), ``api_flavor`` one of API_FLAVORS. Missing counts are 0.
    """

    def n(*path: str) -> int:
        return int(dig(usage, *path) or 0)

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
