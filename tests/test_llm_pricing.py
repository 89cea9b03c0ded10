"""LLM list pricing: the genai-prices snapshot (ingest/llm/prices.py) and the SQL that prices calls with it
(dbt/models/intermediate/llm/int_llm_calls_priced.sql, with its ephemeral steps int_llm_call_keys_resolved and
int_llm_price_bands_selected, + dbt/macros/llm_pricing.sql).

The model's SQL is compiled by dbt itself (a throwaway project holding only the model and its ephemeral steps, their
macros, a source file and stub staging models), then run directly in DuckDB against tables built here, so the tests exercise exactly
the SQL the pipeline runs. Hand-computed cases pin the semantics; the parity test checks 1,000 generated calls
against genai-prices' own `DataSnapshot.calc` (the reference price, synthetic.llm_reference_prices).
"""

from __future__ import annotations

import copy
import random
import textwrap
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.llm.prices import (
    LLM_MODEL_RESOLUTION,
    LLM_PRICE_SNAPSHOT,
    load_provider_map,
    providers_with_backfilled_variants,
    resolve_models,
    snapshot_price_table,
)
from synthetic.llm_reference_prices import price_llm_events_row

REPO = Path(__file__).resolve().parents[1]
MODEL_SQL = REPO / "dbt" / "models" / "intermediate" / "llm" / "int_llm_calls_priced.sql"
# the ephemeral models dbt compiles into int_llm_calls_priced as CTEs
MODEL_STEPS_SQL = [MODEL_SQL.with_name("int_llm_call_keys_resolved.sql"),
                   MODEL_SQL.with_name("int_llm_price_bands_selected.sql")]
MACROS_SQL = REPO / "dbt" / "macros" / "llm_pricing.sql"
NANO = Decimal("0.000000001")

STG_EVENTS: dict[str, pl.DataType] = {
    "event_id": pl.String,
    "event_at": pl.Datetime("us", "UTC"),
    "usage_date": pl.Date,
    "source_format": pl.String,
    "is_aggregated": pl.Boolean,
    "provider_name": pl.String,
    "request_model": pl.String,
    "response_model": pl.String,
    "model": pl.String,
    "input_tokens": pl.Int64,
    "uncached_input_tokens": pl.Int64,
    "cache_read_input_tokens": pl.Int64,
    "cache_creation_input_tokens": pl.Int64,
    "cache_creation_1h_input_tokens": pl.Int64,
    "output_tokens": pl.Int64,
    "reasoning_output_tokens": pl.Int64,
    "calls": pl.Int64,
    "tenant_id": pl.String,
    "feature_id": pl.String,
    "service_tier": pl.String,
    "is_batch": pl.Boolean,
    "cost_usd": pl.Decimal(38, 9),
    "conversation_id": pl.String,
    "context_window": pl.String,
    "tier_input_tokens": pl.Int64,
    "owner_key_provider": pl.String,
    "owner_group_key_type": pl.String,
    "owner_group_key_id": pl.String,
    "owner_api_key_id": pl.String,
}
SEEDS = REPO / "seeds"
OVERRIDES: dict[str, pl.DataType] = {
    "provider_id": pl.String,
    "model_id": pl.String,
    "price_key": pl.String,
    "variant": pl.String,
    "tier_start_input_tokens": pl.Int64,
    "usd_per_unit_block": pl.Decimal(38, 12),
    "valid_from": pl.Date,
    "valid_to": pl.Date,
}


# ------------------------------------------------------------------------------------------------ SQL harness


@pytest.fixture(scope="session")
def pricing_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """int_llm_calls_priced compiled by dbt-duckdb; relations are "pricing"."raw".* and "pricing"."main".*."""
    from dbt.cli.main import dbtRunner

    root = tmp_path_factory.mktemp("dbt_llm_pricing")
    (root / "models").mkdir()
    (root / "macros").mkdir()
    (root / "dbt_project.yml").write_text(textwrap.dedent("""\
        name: unitcost
        version: "0.1.0"
        config-version: 2
        profile: unitcost_llm_pricing_test
        model-paths: ["models"]
        macro-paths: ["macros"]
        flags: {send_anonymous_usage_stats: false}
    """))
    (root / "profiles.yml").write_text(textwrap.dedent(f"""\
        unitcost_llm_pricing_test:
          target: dev
          outputs:
            dev: {{type: duckdb, path: "{root / 'pricing.duckdb'}", schema: main, threads: 1}}
    """))
    (root / "models" / "sources.yml").write_text(textwrap.dedent("""\
        version: 2
        sources:
          - name: raw
            schema: raw
            tables: [{name: llm_price_snapshot}, {name: llm_model_resolution}]
    """))
    for stub in ("stg_llm__events", "stg_llm__price_overrides", "llm_service_tiers", "llm_published_discounts"):
        (root / "models" / f"{stub}.sql").write_text("select 1 as event_id\n")  # stub: only its name is used
    for model in (MODEL_SQL, *MODEL_STEPS_SQL):
        (root / "models" / model.name).write_text(model.read_text())
    for macros in ("llm_pricing.sql", "money.sql", "keys.sql"):
        (root / "macros" / macros).write_text((MACROS_SQL.parent / macros).read_text())
    # the project's in_run_window (macros/partition_window.sql) without vars: every day
    (root / "macros" / "stubs.sql").write_text("{% macro in_run_window(date_column) %}true{% endmacro %}\n")

    args = ["compile", "--select", "int_llm_calls_priced", "--project-dir", str(root), "--profiles-dir", str(root),
            "--target-path", str(root / "target"), "--log-path", str(root / "logs"), "--quiet"]
    result = dbtRunner().invoke(args)
    assert result.success, result.exception
    (node,) = [r.node for r in result.result.results if r.node.name == "int_llm_calls_priced"]
    sql = node.compiled_code
    assert '"pricing"."main"."stg_llm__events"' in sql and '"pricing"."raw"."llm_price_snapshot"' in sql, sql
    return sql


def seed_frame(name: str) -> pl.DataFrame:
    """A dbt seed as dbt-duckdb loads it (empty cells are nulls)."""
    frame = pl.read_csv(SEEDS / f"{name}.csv", infer_schema=False)
    casts = {"is_batch": pl.Boolean, "price_multiplier": pl.Decimal(9, 6), "valid_from": pl.Date, "valid_to": pl.Date}
    return frame.with_columns(
        [(pl.col(c).str.to_lowercase() == "true") if t == pl.Boolean
         else pl.col(c).str.to_date() if t == pl.Date else pl.col(c).cast(t)
         for c, t in casts.items() if c in frame.columns]
    )


NO_DISCOUNTS = pl.DataFrame(schema={"price_provider_id": pl.String, "model_id": pl.String, "context_key": pl.String,
                                    "context_value": pl.String, "price_multiplier": pl.Decimal(9, 6),
                                    "valid_from": pl.Date, "valid_to": pl.Date, "source": pl.String})


def run_pricing(sql: str, events: pl.DataFrame, snapshot: pl.DataFrame, resolution: pl.DataFrame,
                overrides: pl.DataFrame | None = None, discounts: pl.DataFrame | None = None,
                service_tiers: pl.DataFrame | None = None) -> pl.DataFrame:
    """Run the compiled model on these tables; the seeds default to the repo's, overrides to none."""
    con = duckdb.connect()
    try:
        con.execute("attach ':memory:' as pricing")
        con.execute("use pricing")
        con.execute("create schema raw")
        for name, frame in {
            "raw.llm_price_snapshot": snapshot,
            "raw.llm_model_resolution": resolution,
            "main.stg_llm__events": events,
            "main.stg_llm__price_overrides": overrides if overrides is not None else pl.DataFrame(schema=OVERRIDES),
            "main.llm_service_tiers": service_tiers if service_tiers is not None else seed_frame("llm_service_tiers"),
            "main.llm_published_discounts": discounts if discounts is not None else seed_frame(
                "llm_published_discounts"),
        }.items():
            con.register("frame_view", frame.to_arrow())
            con.execute(f"create table {name} as select * from frame_view")
            con.unregister("frame_view")
        return con.execute(sql).pl()
    finally:
        con.close()


def make_event(
    event_id: str,
    provider: str | None,
    model: str | None,
    at: datetime,
    input_tokens: int,
    output_tokens: int,
    cache_read: int = 0,
    cache_write: int = 0,
    cache_write_1h: int = 0,
    reasoning: int = 0,
    service_tier: str | None = None,
    batch: bool = False,
    calls: int = 1,
    request_model: str | None = None,
) -> dict:
    return {
        "event_id": event_id,
        "event_at": at,
        "usage_date": at.astimezone(UTC).date(),  # staging: the UTC day of the event
        "source_format": "native" if calls == 1 else "openai_usage",
        "is_aggregated": calls != 1,
        "provider_name": provider,
        "request_model": request_model if request_model is not None else model,
        "response_model": model,
        "model": model if model is not None else request_model,
        "input_tokens": input_tokens,
        "uncached_input_tokens": input_tokens - cache_read - cache_write,
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_write,
        "cache_creation_1h_input_tokens": cache_write_1h,
        "output_tokens": output_tokens,
        "reasoning_output_tokens": reasoning,
        "calls": calls,
        "tenant_id": "t1",
        "feature_id": "f1",
        "service_tier": service_tier,
        "is_batch": batch,
        "cost_usd": None,
        "conversation_id": None,
        "context_window": None,
        # staging: one call's own input; an aggregated row without context_window takes the base tier
        "tier_input_tokens": input_tokens if calls == 1 else 0,
        "owner_key_provider": provider,
        "owner_group_key_type": None,
        "owner_group_key_id": None,
        "owner_api_key_id": None,
    }


def events_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=STG_EVENTS)


@pytest.fixture(scope="session")
def snapshot() -> tuple[pl.DataFrame, str]:
    return snapshot_price_table()


def price(pricing_sql: str, snapshot_df: pl.DataFrame, rows: list[dict], **tables: pl.DataFrame) -> dict[str, dict]:
    events = events_frame(rows)
    pairs = {(r["provider_name"], m) for r in rows for m in (r["response_model"], r["request_model"])}
    resolution = resolve_models(sorted(pairs, key=str))
    out = run_pricing(pricing_sql, events, snapshot_df, resolution, **tables)
    assert out.height == len(rows)
    return {r["event_id"]: r for r in out.to_dicts()}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ------------------------------------------------------------------------------------------------ snapshot


def test_snapshot_table_shape(snapshot: tuple[pl.DataFrame, str]) -> None:
    df, snapshot_id = snapshot
    assert dict(df.schema) == LLM_PRICE_SNAPSHOT
    assert snapshot_id.startswith("genai-prices==0.2.3:") and len(snapshot_id.split(":")[1]) == 12
    assert df["price_snapshot_id"].unique().to_list() == [snapshot_id]
    key = ["provider_id", "model_id", "valid_from", "valid_to", "variant", "price_key", "tier_start_input_tokens"]
    assert df.select(key).n_unique() == df.height
    # deterministic content hash
    assert snapshot_price_table()[1] == snapshot_id
    # per_units from the unit registry
    assert set(df.filter(pl.col("price_key").str.ends_with("_mtok"))["per_units"].unique()) == {1_000_000}
    assert set(df.filter(pl.col("price_key").str.ends_with("_kcount"))["per_units"].unique()) == {1_000}
    # date ranges of one (model, variant, key, tier) never overlap
    overlaps = (
        df.sort("valid_from")
        .with_columns(pl.col("valid_to").shift(1).over(key[:2] + key[4:]).alias("prev_to"))
        .filter(pl.col("prev_to") > pl.col("valid_from"))
    )
    assert overlaps.height == 0


def test_snapshot_o3_price_history_and_backfilled_variants(snapshot: tuple[pl.DataFrame, str]) -> None:
    df, _ = snapshot
    o3 = df.filter(pl.col("provider_id") == "openai", pl.col("model_id") == "o3", pl.col("price_key") == "input_mtok")
    rows = {(r["variant"], r["valid_from"], r["valid_to"]): r["usd_per_unit_block"] for r in o3.to_dicts()}
    assert rows[("base", date(1900, 1, 1), date(2025, 6, 10))] == Decimal(10)
    assert rows[("base", date(2025, 6, 10), date(9999, 12, 31))] == Decimal(2)
    # genai-prices dates the batch variant 2026-10-14 (the day it entered its data): unitcost applies it always
    assert rows[("batch", date(1900, 1, 1), date(9999, 12, 31))] == Decimal(1)
    # a later-dated variant of the same `when` is a real price change and keeps its date (mistral-large-4 batch)
    ml = df.filter(pl.col("model_id") == "mistral-large-4", pl.col("provider_id") == "mistral",
                   pl.col("variant") == "batch", pl.col("price_key") == "input_mtok").sort("valid_from")
    assert ml.select("valid_from", "valid_to", "variant_priority").rows() == [
        (date(1900, 1, 1), date(2026, 10, 20), 2),
        (date(2026, 10, 20), date(2026, 10, 29), 1),
        (date(2026, 10, 29), date(9999, 12, 31), 0),
    ]


def test_snapshot_is_the_same_from_backfilled_copies_and_never_mutates_genai_prices() -> None:
    from genai_prices.data import providers
    from genai_prices.types import StartDateConstraint

    def gpt5_batch_constraint():
        gpt5 = next(m for p in providers if p.id == "openai" for m in p.models if m.id == "gpt-5")
        return next(v for v in gpt5.price_variants if v.when == {"processing": "batch"}).constraint

    before = copy.deepcopy(gpt5_batch_constraint())
    assert isinstance(before, StartDateConstraint)
    backfilled = providers_with_backfilled_variants()
    assert snapshot_price_table(backfilled)[1] == snapshot_price_table()[1]  # the rule is idempotent
    assert gpt5_batch_constraint() == before  # genai-prices' global data untouched


def test_backfill_rule_removes_variant_start_dates_except_real_changes_inside_a_variant() -> None:
    """Every variant loses its StartDateConstraint, except a later-dated repeat of the same `when` (a price change
    inside that variant, e.g. mistral-large-4 batch); the earliest of such a group is undated."""
    from genai_prices.data import providers

    backfilled = providers_with_backfilled_variants()
    repeated = []
    for original_provider, provider in zip(providers, backfilled, strict=True):
        for original, model in zip(original_provider.models, provider.models, strict=True):
            whens = [tuple(sorted(v.when.items())) for v in model.price_variants or ()]
            for when, variant, before in zip(whens, model.price_variants or (), original.price_variants or (),
                                             strict=True):
                if whens.count(when) == 1:
                    assert variant.constraint is None, (provider.id, model.id, variant.when)
                else:
                    repeated.append((provider.id, model.id))
                    group = [v for w, v in zip(whens, original.price_variants, strict=True) if w == when]
                    if any(v.constraint is None for v in group):
                        assert variant.constraint == before.constraint
                    else:
                        first = min(v.constraint.start_date for v in group)
                        kept = None if before.constraint.start_date == first else before.constraint
                        assert variant.constraint == kept
    assert 0 < len(set(repeated)) <= 10  # 8 models in genai-prices 0.2.3, none from OpenAI or Anthropic
    assert not any(p in ("openai", "anthropic") for p, _ in repeated)


def test_resolve_models() -> None:
    out = resolve_models([
        ("openai", "gpt-4o-2024-08-06"),
        ("azure.ai.openai", "gpt-4o"),
        ("gcp.gemini", "gemini-2.5-pro"),
        ("anthropic", "claude-sonnet-4-5-20250929"),
        ("openai", "no-such-model"),
        ("openai", "gpt-4o-2024-08-06"),  # duplicates collapse
    ])
    assert dict(out.schema) == LLM_MODEL_RESOLUTION
    rows = {(r["provider_name"], r["model_string"]): r for r in out.to_dicts()}
    assert len(rows) == out.height == 5
    assert rows[("openai", "gpt-4o-2024-08-06")]["price_model_id"] == "gpt-4o"
    azure = rows[("azure.ai.openai", "gpt-4o")]
    assert (azure["price_provider_id"], azure["matched_provider_id"], azure["price_variants_apply"]) == (
        "openai", "azure", False)
    assert rows[("gcp.gemini", "gemini-2.5-pro")]["price_provider_id"] == "google"
    assert rows[("anthropic", "claude-sonnet-4-5-20250929")]["price_model_id"] == "claude-sonnet-4-5"
    assert rows[("openai", "no-such-model")]["price_model_id"] is None


# ------------------------------------------------------------------------------------------------ hand cases


def test_hand_computed_cases(pricing_sql: str, snapshot: tuple[pl.DataFrame, str]) -> None:
    df, snapshot_id = snapshot
    rows = [
        # gpt-5: 4,000 uncached x $1.25 + 8,000 cached x $0.125 + 2,000 output (reasoning billed as output) x $10
        make_event("openai_cached_reasoning", "openai", "gpt-5-2025-08-07", utc(2025, 9, 1, 12),
                   12_000, 2_000, cache_read=8_000, reasoning=1_200),
        # claude-sonnet-4-5: 20,000 uncached x $3 + 20,000 read x $0.30 + 6,000 5m-write x $3.75
        #                    + 4,000 1h-write x $6 + 1,000 output x $15
        make_event("anthropic_cache", "anthropic", "claude-sonnet-4-5-20250929", utc(2025, 10, 1, 8),
                   50_000, 1_000, cache_read=20_000, cache_write=10_000, cache_write_1h=4_000),
        # same call in batch, dated before genai-prices added the variant (2026-10-14): half price
        make_event("anthropic_batch", "anthropic", "claude-sonnet-4-5-20250929", utc(2025, 10, 1, 8),
                   50_000, 1_000, cache_read=20_000, cache_write=10_000, cache_write_1h=4_000, batch=True),
        # gpt-5 batch: 9,000 x $0.625 + 1,000 x $0.0625 + 500 x $5
        make_event("openai_batch", "openai", "gpt-5", utc(2025, 12, 24), 10_000, 500, cache_read=1_000, batch=True),
        # gpt-5 flex: 10,000 x $0.625 + 500 x $5
        make_event("openai_flex", "openai", "gpt-5", utc(2025, 12, 24), 10_000, 500, service_tier="flex"),
        # claude-sonnet-4-5 above 200k input: every token at the long-context rate ($6 / $22.50)
        make_event("anthropic_long", "anthropic", "claude-sonnet-4-5", utc(2025, 11, 5), 250_000, 2_000),
        # exactly 200k is not above the threshold: base rate ($3 / $15)
        make_event("anthropic_200k", "anthropic", "claude-sonnet-4-5", utc(2025, 11, 5), 200_000, 2_000),
        # o3 before / from 2025-06-10 (UTC date): $10/$40 -> $2/$8 per M
        make_event("o3_before", "openai", "o3", utc(2025, 6, 9, 23, 59, 59), 1_000_000, 100_000),
        make_event("o3_after", "openai", "o3", utc(2025, 6, 10, 0, 0, 0), 1_000_000, 100_000),
        make_event("o3_after_local", "openai", "o3-2025-04-16",
                   datetime(2025, 6, 10, 1, 30, tzinfo=timezone(timedelta(hours=2))), 1_000_000, 100_000),
        # one rounding per call, half away from zero: 1 token x $0.0625 / M (haiku-5-5 batch cache write)
        make_event("sub_nano", "anthropic", "claude-haiku-5-5", utc(2025, 11, 5), 1, 0, cache_write=1, batch=True),
        # Azure serving an OpenAI model: genai-prices applies no variant (fallback provider) -> base price
        make_event("azure_batch", "azure.ai.openai", "gpt-4o", utc(2025, 11, 5), 1_000_000, 0, batch=True),
        # an aggregated usage row (calls > 1) takes the base tier; requests_kcount counts every call
        make_event("aggregated", "anthropic", "claude-sonnet-4-5", utc(2025, 11, 5), 900_000, 0, calls=10),
        make_event("sonar_requests", "perplexity", "sonar-pro", utc(2025, 11, 5), 1_000, 1_000, calls=3),
        # response model unknown, request model known -> priced by the request model
        make_event("request_fallback", "openai", "prod-deployment-7", utc(2025, 11, 5), 1_000_000, 0,
                   request_model="gpt-4o"),
        # unknown model: not priced, never $0
        make_event("unknown", "openai", "my-finetune-xyz", utc(2025, 11, 5), 1_000, 1_000),
        make_event("unknown_provider", "some.vendor", "gpt-4o", utc(2025, 11, 5), 1_000, 1_000),
    ]
    out = price(pricing_sql, df, rows)
    expected = {
        "openai_cached_reasoning": "0.026",
        "anthropic_cache": "0.1275",
        "anthropic_batch": "0.06375",
        "openai_batch": "0.0081875",  # 0.005625 + 0.0000625 + 0.0025
        "openai_flex": "0.00875",
        "anthropic_long": "1.545",
        "anthropic_200k": "0.63",
        "o3_before": "14",
        "o3_after": "2.8",
        "o3_after_local": "14",  # 01:30 at +02:00 is 2025-06-09 23:30 UTC
        "sub_nano": "0.000000063",  # 0.0000000625 rounded once
        "azure_batch": "2.5",
        "aggregated": "2.7",  # 900,000 x $3 / M, not the > 200k rate
        "sonar_requests": "0.06",  # 1,000 x $3 + 1,000 x $15 per M + 3 requests x $14 per K
        "request_fallback": "2.5",
    }
    for event_id, usd in expected.items():
        row = out[event_id]
        assert row["is_priced"] is True, event_id
        assert row["priced_cost_usd"] == Decimal(usd), (event_id, row["priced_cost_usd"], usd)
        assert row["price_snapshot_id"] == snapshot_id
    assert out["anthropic_cache"]["price_provider_id"] == "anthropic"
    assert out["anthropic_cache"]["price_model_id"] == "claude-sonnet-4-5"
    assert out["azure_batch"]["price_provider_id"] == "openai"
    for event_id in ("unknown", "unknown_provider"):
        assert out[event_id]["is_priced"] is False
        assert out[event_id]["priced_cost_usd"] is None
        assert out[event_id]["price_model_id"] is None


# ------------------------------------------------------------------------------------------------ parity

# (provider name as logged, model string); tiered models get >= 5 % of their calls above each threshold
PARITY_MODELS: list[tuple[str, str]] = [
    ("openai", "gpt-5"),
    ("openai", "gpt-4o-2024-08-06"),
    ("openai", "o3"),
    ("openai", "gpt-5.4"),  # 272k tier, flex tiered, priority flat
    ("openai", "gpt-5.6-sol"),  # 272k tier, cache writes
    ("anthropic", "claude-sonnet-4-5-20250929"),  # 200k tier, 5m + 1h cache writes
    ("anthropic", "claude-haiku-5-5"),  # 100k tier
    ("anthropic", "claude-sonnet-4-0"),
    ("gcp.gemini", "gemini-2.5-pro"),  # 200k tier
    ("gcp.gemini", "gemini-2.5-flash"),
    ("gcp.vertex_ai", "claude-sonnet-4-5@20250929"),
    ("azure.ai.openai", "gpt-4o"),  # fallback provider: no variants
    ("aws.bedrock", "global.anthropic.claude-haiku-5-5"),
    ("mistral_ai", "mistral-large-4"),  # price history in base and in the batch variant
    ("perplexity", "sonar-deep-research"),  # output_reasoning_mtok priced
    ("perplexity", "sonar-pro"),  # requests_kcount
]
O3_CHANGE = datetime(2025, 6, 10, tzinfo=UTC)


def _thresholds(df: pl.DataFrame, resolution: pl.DataFrame) -> dict[tuple[str, str], list[int]]:
    res = {(r["provider_name"], r["model_string"]): (r["price_provider_id"], r["price_model_id"])
           for r in resolution.to_dicts()}
    tiers = (
        df.filter(pl.col("tier_start_input_tokens") > 0)
        .group_by("provider_id", "model_id")
        .agg(pl.col("tier_start_input_tokens").unique().sort())
    )
    by_model = {(r["provider_id"], r["model_id"]): r["tier_start_input_tokens"] for r in tiers.to_dicts()}
    return {pair: by_model.get(res[pair], []) for pair in PARITY_MODELS}


def _generate_calls(n: int, thresholds: dict[tuple[str, str], list[int]]) -> list[dict]:
    rng = random.Random(20251122)
    offsets = [timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-7)),
               timezone(timedelta(hours=5, minutes=30))]
    start, span = datetime(2025, 1, 1, tzinfo=UTC), 730 * 86400
    rows = []
    for i in range(n):
        provider, model = PARITY_MODELS[i % len(PARITY_MODELS)]
        if model == "o3" and rng.random() < 0.6:  # dense around the price change, both sides
            at = O3_CHANGE + timedelta(seconds=rng.randint(-3 * 86400, 3 * 86400))
        else:
            at = start + timedelta(seconds=rng.randint(0, span))
        at = at.astimezone(rng.choice(offsets))
        tiers = thresholds[(provider, model)]
        roll = rng.random()
        if tiers and roll < 0.25:
            t = rng.choice(tiers)
            input_tokens = rng.randint(t + 1, 2 * t)
        elif tiers and roll < 0.30:
            input_tokens = rng.choice(tiers) + rng.choice([0, 1])  # on the threshold / just above
        elif roll < 0.33:
            input_tokens = 0
        else:
            input_tokens = int(10 ** rng.uniform(0, 5.2))
            if tiers:
                input_tokens = min(input_tokens, min(tiers))
        cache_read = rng.randint(0, input_tokens) if rng.random() < 0.5 else 0
        cache_write = rng.randint(0, input_tokens - cache_read) if rng.random() < 0.4 else 0
        cache_write_1h = rng.randint(0, cache_write) if cache_write and rng.random() < 0.5 else 0
        output_tokens = rng.randint(0, 30_000) if rng.random() < 0.95 else 0
        reasoning = rng.randint(0, output_tokens) if rng.random() < 0.5 else 0
        tier = rng.choice([None, "default", "flex", "priority", "standard", "auto"])
        rows.append(make_event(
            f"call-{i:04d}", provider, model, at, input_tokens, output_tokens, cache_read=cache_read,
            cache_write=cache_write, cache_write_1h=cache_write_1h, reasoning=reasoning, service_tier=tier,
            batch=rng.random() < 0.3,
        ))
    return rows


def test_parity_with_genai_prices_calc(pricing_sql: str) -> None:
    from genai_prices.data_snapshot import DataSnapshot

    # genai-prices' own calculator on deep copies whose variants apply on every date (unitcost's rule)
    backfilled = providers_with_backfilled_variants()
    reference = DataSnapshot(providers=backfilled, from_auto_update=False)
    snapshot_df, _ = snapshot_price_table(backfilled)
    resolution = resolve_models(PARITY_MODELS, providers=backfilled)
    assert resolution["price_model_id"].null_count() == 0
    thresholds = _thresholds(snapshot_df, resolution)
    rows = _generate_calls(1000, thresholds)

    # coverage of the generated calls
    assert sum(r["cache_read_input_tokens"] > 0 for r in rows) >= 100
    assert sum(r["cache_creation_input_tokens"] - r["cache_creation_1h_input_tokens"] > 0 for r in rows) >= 100
    assert sum(r["cache_creation_1h_input_tokens"] > 0 for r in rows) >= 50
    assert sum(r["reasoning_output_tokens"] > 0 for r in rows) >= 100
    assert sum(r["is_batch"] for r in rows) >= 200
    for tier in ("flex", "priority", "default", None):
        assert sum(r["service_tier"] == tier for r in rows) >= 100
    o3 = [r for r in rows if r["response_model"] == "o3"]
    assert sum(r["usage_date"] < O3_CHANGE.date() for r in o3) >= 10
    assert sum(r["usage_date"] >= O3_CHANGE.date() for r in o3) >= 10
    for (provider, model), tiers in thresholds.items():
        calls = [r for r in rows if (r["provider_name"], r["response_model"]) == (provider, model)]
        for t in tiers:
            assert sum(r["input_tokens"] > t for r in calls) >= 0.05 * len(calls), (model, t)
    assert sum(bool(t) for t in thresholds.values()) >= 6

    provider_map = load_provider_map()
    # service tiers as logged: default / standard / auto select nothing (the base price)
    expected: dict[str, Decimal] = {
        r["event_id"]: price_llm_events_row(r, provider_map[r["provider_name"]], snapshot=reference) for r in rows}

    # genai-prices parity: unitcost's own published discounts (a context genai-prices has no variant for) are off
    out = run_pricing(pricing_sql, events_frame(rows), snapshot_df, resolution, discounts=NO_DISCOUNTS)
    got = {r["event_id"]: r for r in out.to_dicts()}
    assert len(got) == len(rows)
    mismatches = [
        (event_id, got[event_id]["priced_cost_usd"], want)
        for event_id, want in expected.items()
        if not got[event_id]["is_priced"] or abs(got[event_id]["priced_cost_usd"] - want) > NANO
    ]
    assert not mismatches, mismatches[:10]
    assert sum(1 for v in expected.values() if v > 0) >= 900
