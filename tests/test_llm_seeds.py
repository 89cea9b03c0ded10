"""The pricing seeds: seeds/llm_service_tiers.csv (a provider's tier spelling → genai-prices price context) and
seeds/llm_published_discounts.csv (a published discount for a context genai-prices has no variant for).

Shape and content are checked against genai-prices' own data; behaviour through the compiled pricing SQL
(harness in tests/test_llm_pricing.py)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from test_llm_pricing import make_event, price, pricing_sql, snapshot, utc  # noqa: F401  (fixtures)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------------------------------------ service tiers


def test_service_tier_seed_shape_and_values(snapshot) -> None:
    df, _ = snapshot
    rows = _rows("llm_service_tiers")
    assert list(rows[0]) == ["price_provider_id", "service_tier", "price_service_tier", "is_batch", "note"]
    keys = [(r["price_provider_id"], r["service_tier"]) for r in rows]
    assert len(keys) == len(set(keys)), "one row per (provider, tier)"
    providers = set(df["provider_id"].unique())
    tier_variants = set(df.filter(pl.col("variant_key") == "service_tier")["variant_value"].unique())
    for r in rows:
        assert r["price_provider_id"] == "*" or r["price_provider_id"] in providers, r
        assert r["service_tier"] == r["service_tier"].strip().lower(), r
        assert r["is_batch"] in ("true", "false"), r
        # a mapped tier is a service_tier value genai-prices prices somewhere (or empty: the standard price)
        assert r["price_service_tier"] == "" or r["price_service_tier"] in tier_variants, r
    mapping = {(r["price_provider_id"], r["service_tier"]): (r["price_service_tier"], r["is_batch"]) for r in rows}
    # each provider's own spelling (OpenAI default/flex/priority; Anthropic standard/batch/priority/flex)
    assert mapping[("openai", "flex")] == ("flex", "false")
    assert mapping[("openai", "priority")] == ("priority", "false")
    assert mapping[("*", "default")] == ("", "false")
    assert mapping[("anthropic", "standard")] == ("", "false")
    assert mapping[("anthropic", "batch")] == ("", "true")
    assert mapping[("anthropic", "priority")] == ("priority", "false")
    assert mapping[("anthropic", "flex")] == ("flex", "false")


def test_service_tiers_map_to_price_contexts(pricing_sql, snapshot) -> None:
    df, _ = snapshot
    at = utc(2025, 12, 24)
    rows = [
        # gpt-5 in OpenAI's spellings: default, flex ($0.625 / $5), priority ($2.50 / $20), the dashboard's flex-tier
        make_event("default", "openai", "gpt-5", at, 10_000, 500, service_tier="default"),
        make_event("flex", "openai", "gpt-5", at, 10_000, 500, service_tier="flex"),
        make_event("flex_tier", "openai", "gpt-5", at, 10_000, 500, service_tier="flex-tier"),
        make_event("priority", "openai", "gpt-5", at, 10_000, 500, service_tier="Priority"),
        # Anthropic's usage report spells the Message Batches API as a tier
        make_event("anthropic_std", "anthropic", "claude-sonnet-4-5", at, 10_000, 500, service_tier="standard"),
        make_event("anthropic_batch", "anthropic", "claude-sonnet-4-5", at, 10_000, 500, service_tier="batch"),
        # no Anthropic priority variant in genai-prices 0.2.3: the standard rate
        make_event("anthropic_priority", "anthropic", "claude-sonnet-4-5", at, 10_000, 500,
                   service_tier="priority_on_demand"),
    ]
    out = price(pricing_sql, df, rows)
    assert {k: out[k]["priced_cost_usd"] for k in out} == {
        "default": Decimal("0.0175"),  # 10,000 x $1.25 + 500 x $10
        "flex": Decimal("0.00875"),
        "flex_tier": Decimal("0.00875"),
        "priority": Decimal("0.035"),
        "anthropic_std": Decimal("0.0375"),  # 10,000 x $3 + 500 x $15
        "anthropic_batch": Decimal("0.01875"),
        "anthropic_priority": Decimal("0.0375"),
    }
    assert (out["flex_tier"]["priced_service_tier"], out["anthropic_batch"]["priced_as_batch"]) == ("flex", True)
    assert out["anthropic_priority"]["priced_service_tier"] == "priority"


# ------------------------------------------------------------------------------------------ published discounts


def test_published_discount_seed_shape(snapshot) -> None:
    df, _ = snapshot
    rows = _rows("llm_published_discounts")
    assert list(rows[0]) == ["price_provider_id", "model_id", "context_key", "context_value", "price_multiplier",
                             "valid_from", "valid_to", "source"]
    for r in rows:
        assert r["context_key"] in ("processing", "service_tier"), r
        assert Decimal(0) < Decimal(r["price_multiplier"]) <= Decimal(1), r
        date.fromisoformat(r["valid_from"])
        assert r["source"].startswith("https://"), r
        models = set(df.filter(pl.col("provider_id") == r["price_provider_id"])["model_id"].unique())
        assert r["model_id"] == "*" or r["model_id"] in models, r
        # the row matters: some model of the provider has no genai-prices variant for that context
        with_variant = set(df.filter(pl.col("provider_id") == r["price_provider_id"],
                                     pl.col("variant_key") == r["context_key"],
                                     pl.col("variant_value") == r["context_value"])["model_id"].unique())
        assert models - with_variant, r


def test_published_discount_applies_only_where_genai_prices_has_no_variant(pricing_sql, snapshot) -> None:
    df, _ = snapshot
    rows = [
        # claude-sonnet-4-0 has no batch price in genai-prices 0.2.3: the published 50 % Batch API discount
        make_event("sonnet4_batch", "anthropic", "claude-sonnet-4-0", utc(2025, 11, 5), 10_000, 500,
                   cache_read=2_000, batch=True),
        make_event("sonnet4_std", "anthropic", "claude-sonnet-4-0", utc(2025, 11, 5), 10_000, 500, cache_read=2_000),
        # before Anthropic launched the Batch API (2024-10-08): no discount
        make_event("sonnet4_batch_early", "anthropic", "claude-sonnet-4-0", utc(2024, 10, 7), 10_000, 500,
                   cache_read=2_000, batch=True),
        # claude-sonnet-4-5 has genai-prices' own batch variant: that one, not the seed
        make_event("sonnet45_batch", "anthropic", "claude-sonnet-4-5", utc(2025, 11, 5), 10_000, 500, batch=True),
    ]
    out = price(pricing_sql, df, rows)
    # 8,000 x $3 + 2,000 x $0.30 + 500 x $15 = $0.0321, halved
    assert out["sonnet4_std"]["priced_cost_usd"] == Decimal("0.0321")
    assert out["sonnet4_batch"]["priced_cost_usd"] == Decimal("0.01605")
    assert out["sonnet4_batch"]["price_basis"] == "published_discount"
    assert out["sonnet4_batch_early"]["priced_cost_usd"] == Decimal("0.0321")
    assert out["sonnet4_batch_early"]["price_basis"] == "list"
    assert out["sonnet45_batch"]["priced_cost_usd"] == Decimal("0.01875")  # 10,000 x $1.50 + 500 x $7.50
    assert out["sonnet45_batch"]["price_basis"] == "list"


@pytest.mark.parametrize("provider", ["openai", "anthropic", "google"])
def test_each_provider_has_a_published_batch_discount(provider) -> None:
    rows = [r for r in _rows("llm_published_discounts") if r["price_provider_id"] == provider]
    assert any(r["context_key"] == "processing" and r["context_value"] == "batch" for r in rows)
