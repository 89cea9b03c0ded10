"""LLM list prices: genai-prices' bundled data flattened into an effective-dated table, and model-string resolution.

Pure Python (no Dagster). Two products, both written to the warehouse once per run and read by dbt
(`int_llm_calls_priced` prices every call in SQL; `calc_price` costs ~250 µs per call, SQL a fraction of that):

* `snapshot_price_table()` -> `raw.llm_price_snapshot` (schema `LLM_PRICE_SNAPSHOT`): one row per
  (provider_id, model_id, valid_from, valid_to, variant, price_key, tier_start_input_tokens).
* `resolve_models(pairs)` -> `raw.llm_model_resolution` (schema `LLM_MODEL_RESOLUTION`): each distinct
  (provider name as logged, model string) -> the genai-prices model whose prices apply, or nulls.

How genai-prices' semantics map onto the table (genai_prices/types.py, 0.2.3):

* Base prices. `ModelInfo.prices` is a ModelPrice or a list of ConditionalPrice; `get_prices` takes the LAST
  active entry, else the FIRST entry when none is active. StartDateConstraint compares the call's UTC date, so
  the list becomes disjoint [valid_from, valid_to) UTC-date ranges (period_idx = the list index in force).
  TimeOfDateConstraint (DeepSeek off-peak windows, 5 models in 0.2.3) is NOT reproduced: those entries are
  treated as never active, so such models are priced with the price in force outside every window (rows carry
  `has_time_of_day_prices = true` so the approximation is visible).
* Variants. `get_prices` walks `price_variants` first to last and, per price key, keeps the first active variant
  whose `when` matches the price context (`setdefault`); a variant only overrides the keys it sets. genai-prices
  dates variants from the day they entered its data (batch 2026-10-14, service tiers 2026-10-12), so unitcost
  applies a variant on every date its base price is valid (docs/llm.md): within each group of variants with the
  same `when`, the earliest-starting one loses its StartDateConstraint. A later-dated variant of the same group is
  a real price change inside that variant (e.g. mistral-large-4 batch on 2026-10-20 and 2026-10-29) and keeps its
  date. For a group with a single variant (every OpenAI/Anthropic/Google one) this is exactly "ignore the
  variant's start date". Rows of a variant carry `variant_priority` = the winning variant's index in
  `price_variants`; when a context matches several groups (batch + flex), SQL takes, per price key, the lowest
  priority, which is `setdefault` in list order. `providers_with_backfilled_variants()` builds the same rule as
  genai-prices objects (deep copies) for parity tests.
* Tiers. TieredPrices is a cliff on the call's total input tokens: the highest tier whose start < input tokens,
  else base (`tier_start_input_tokens = 0`).
* Prices are stored as Decimal(38, 12) USD per `per_units` (1e6 for *_mtok, 1e3 for *_kcount, the registry's
  `per`). A few genai-prices values are float artefacts with more decimals (e.g. 0.041666666666666664); they
  are rounded half-up to 12 decimals (a difference below $1e-12 per million tokens); `snapshot_price_table` logs
  how many.
* Price keys unknown to genai-prices' unit registry are ignored, as `calc_price` ignores them (with a warning).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from importlib.metadata import version as _package_version
from pathlib import Path
from typing import Any

import polars as pl

log = logging.getLogger(__name__)

PRICE_SCALE = 12
MIN_DATE = date(1900, 1, 1)  # valid_from of a price in force since "always"
MAX_DATE = date(9999, 12, 31)  # valid_to (exclusive) of a price still in force

# raw.llm_price_snapshot
LLM_PRICE_SNAPSHOT: dict[str, pl.DataType] = {
    "price_snapshot_id": pl.String,  # genai-prices==<version>:<sha256 of the flattened content, 12 hex>
    "provider_id": pl.String,  # provider listing the model (= llm_model_resolution.price_provider_id)
    "model_id": pl.String,
    "valid_from": pl.Date,  # UTC date, inclusive; 1900-01-01 = always
    "valid_to": pl.Date,  # UTC date, exclusive; 9999-12-31 = still in force
    "variant": pl.String,  # base | batch | flex | priority | fast | <key>:<value> for other contexts
    "variant_key": pl.String,  # price-context key of the `when` (processing, service_tier, ...); null for base
    "variant_value": pl.String,  # its value (batch, flex, ...); null for base
    "variant_priority": pl.Int32,  # index of the winning variant in price_variants (lower wins); null for base
    "period_idx": pl.Int32,  # index of the base ConditionalPrice in force; null for variants
    "price_key": pl.String,  # input_mtok, cache_read_mtok, requests_kcount, ...
    "usage_key": pl.String,  # input_tokens, cache_read_tokens, requests, ...
    "per_units": pl.Int64,  # 1_000_000 for *_mtok, 1_000 for *_kcount
    "tier_start_input_tokens": pl.Int64,  # 0 = base; > 0 = applies when the call's total input tokens exceed it
    "usd_per_unit_block": pl.Decimal(38, PRICE_SCALE),  # USD per per_units units
    "has_time_of_day_prices": pl.Boolean,  # the model has TimeOfDateConstraint prices (not reproduced, see above)
}

# raw.llm_model_resolution
LLM_MODEL_RESOLUTION: dict[str, pl.DataType] = {
    "provider_name": pl.String,  # as logged (gen_ai.provider.name); null = unknown provider, matched by model only
    "model_string": pl.String,  # request or response model as logged
    "price_provider_id": pl.String,  # provider whose model list holds the model (the price table's provider_id)
    "price_model_id": pl.String,  # null = unknown model: the call must not be priced
    "matched_provider_id": pl.String,  # provider genai-prices resolved (azure for an Azure OpenAI call of gpt-4o)
    "price_variants_apply": pl.Boolean,  # false when the model came from a fallback provider (see resolve_models)
}

PROVIDER_MAP_CSV = Path(__file__).resolve().parents[2] / "seeds" / "llm_provider_map.csv"  # the dbt seed

# The price context of a call (mirrors the SQL in dbt/macros/llm_pricing.sql): batch -> {'processing': 'batch'};
# a service tier other than these -> {'service_tier': <tier, lower case>}.
NO_SERVICE_TIER = frozenset({"", "default", "standard", "auto"})


def price_context_for(is_batch: bool | None, service_tier: str | None) -> dict[str, str]:
    """The genai-prices `price_context` a logged call maps to (the SQL uses the same rule)."""
    context: dict[str, str] = {}
    if is_batch:
        context["processing"] = "batch"
    tier = (service_tier or "").strip().lower()
    if tier not in NO_SERVICE_TIER:
        context["service_tier"] = tier
    return context


# --------------------------------------------------------------------------------------------------------------
# price table


def _genai_types() -> Any:
    from genai_prices import types

    return types


def _bundled_providers() -> list[Any]:
    from genai_prices.data import providers

    return providers


def _registry() -> Any:
    from genai_prices.units import _get_registry  # the registry calc_price itself uses

    return _get_registry()


def _constraint_active_on(constraint: Any, day: date) -> bool:
    """Whether a ConditionalPrice / PriceVariant constraint is active on a UTC day (time-of-day: never)."""
    t = _genai_types()
    if constraint is None:
        return True
    if isinstance(constraint, t.StartDateConstraint):
        return day >= constraint.start_date
    return False  # TimeOfDateConstraint: not reproduced (module docstring)


def _segment_starts(constraints: Iterable[Any]) -> list[date]:
    t = _genai_types()
    starts = {c.start_date for c in constraints if isinstance(c, t.StartDateConstraint) and c.start_date > MIN_DATE}
    return [MIN_DATE, *sorted(starts)]


def _ranges(starts: list[date]) -> list[tuple[date, date]]:
    return list(zip(starts, [*starts[1:], MAX_DATE], strict=True))


def _merge(segments: list[tuple[date, date, Any]]) -> list[tuple[date, date, Any]]:
    """Merge adjacent [from, to) segments that carry the same value."""
    merged: list[tuple[date, date, Any]] = []
    for start, end, value in segments:
        if merged and merged[-1][1] == start and merged[-1][2] == value:
            merged[-1] = (merged[-1][0], end, value)
        else:
            merged.append((start, end, value))
    return merged


def _base_periods(model: Any) -> list[tuple[date, date, int]]:
    """Disjoint [valid_from, valid_to) ranges with the index of the ConditionalPrice get_prices picks."""
    t = _genai_types()
    if isinstance(model.prices, t.ModelPrice):
        return [(MIN_DATE, MAX_DATE, 0)]
    periods = list(model.prices)
    segments = []
    for start, end in _ranges(_segment_starts(p.constraint for p in periods)):
        winner = 0  # none active -> the first one
        for idx in range(len(periods) - 1, -1, -1):  # last active wins
            if _constraint_active_on(periods[idx].constraint, start):
                winner = idx
                break
        segments.append((start, end, winner))
    return _merge(segments)


def _variant_groups(model: Any) -> dict[tuple[tuple[str, str], ...], list[tuple[int, Any, Any]]]:
    """Variants grouped by `when`, each as (index, variant, effective constraint) with the backfill rule applied."""
    t = _genai_types()
    groups: dict[tuple[tuple[str, str], ...], list[tuple[int, Any, Any]]] = {}
    for idx, variant in enumerate(model.price_variants or ()):
        groups.setdefault(tuple(sorted(variant.when.items())), []).append((idx, variant, variant.constraint))
    for key, members in groups.items():
        if any(constraint is None for _, _, constraint in members):
            continue  # already in force on every date
        dated = [c.start_date for _, _, c in members if isinstance(c, t.StartDateConstraint)]
        if not dated:
            continue
        first = min(dated)
        groups[key] = [
            (idx, v, None if isinstance(c, t.StartDateConstraint) and c.start_date == first else c)
            for idx, v, c in members
        ]
    return groups


def providers_with_backfilled_variants(providers: Sequence[Any] | None = None) -> list[Any]:
    """Deep copies of `providers` whose variants follow unitcost's backfill rule (module docstring).

    For genai-prices' own `calc_price` / `DataSnapshot.calc`, e.g. in parity tests. Never mutates the input.
    """
    copied = copy.deepcopy(list(providers if providers is not None else _bundled_providers()))
    for provider in copied:
        for model in provider.models:
            if not model.price_variants:
                continue
            effective = {idx: c for members in _variant_groups(model).values() for idx, _, c in members}
            for idx, variant in enumerate(model.price_variants):
                variant.constraint = effective[idx]
    return copied


def _price_items(model_price: Any, registry: Any) -> list[tuple[str, Any]]:
    """(price_key, value) pairs calc_price would use: set, not private, registered."""
    items = []
    for key, value in model_price.__dict__.items():
        if key.startswith("_") or value is None:
            continue
        if key not in registry._all_price_keys:  # noqa: SLF001 - calc_price ignores unregistered keys too
            continue
        items.append((key, value))
    return items


class _Quantizer:
    def __init__(self) -> None:
        self.rounded = 0
        self.step = Decimal(1).scaleb(-PRICE_SCALE)

    def __call__(self, value: Decimal) -> Decimal:
        value = Decimal(value)
        q = value.quantize(self.step, rounding=ROUND_HALF_UP)
        if q != value:
            self.rounded += 1
        return q


def _tiers(value: Any, quantize: _Quantizer) -> list[tuple[int, Decimal]]:
    """(tier_start_input_tokens, price) rows of a price value; base first with start 0."""
    t = _genai_types()
    if not isinstance(value, t.TieredPrices):
        return [(0, quantize(value))]
    by_start: dict[int, Decimal] = {0: quantize(value.base)}
    for tier in sorted(value.tiers, key=lambda tier: tier.start):  # calc_unit_price: the last of equal starts wins
        if tier.start <= 0:
            # A tier starting at 0 applies to every call with input tokens; it differs from base only when a call
            # has none. Not in genai-prices 0.2.3; kept as the base price.
            log.warning("genai-prices tier with start %s replaces the base price", tier.start)
        by_start[max(int(tier.start), 0)] = quantize(tier.price)
    return sorted(by_start.items())


def _variant_label(when: tuple[tuple[str, str], ...]) -> tuple[str, str | None, str | None]:
    if len(when) != 1:
        # Several conditions in one `when` (none in genai-prices 0.2.3): kept in the table, never matched by the SQL.
        return "&".join(f"{k}:{v}" for k, v in when), None, None
    key, value = when[0]
    if key in ("processing", "service_tier"):
        return value, key, value
    return f"{key}:{value}", key, value


def snapshot_price_table(providers: Sequence[Any] | None = None) -> tuple[pl.DataFrame, str]:
    """Flatten genai-prices' price data into the effective-dated long table `LLM_PRICE_SNAPSHOT`.

    `providers` defaults to genai-prices' bundled data (`genai_prices.data.providers`); it is only read.
    Returns the table (every row carries the snapshot id) and the snapshot id.
    """
    providers = list(providers if providers is not None else _bundled_providers())
    t = _genai_types()
    registry = _registry()
    quantize = _Quantizer()
    rows: list[dict[str, Any]] = []

    def emit(provider_id: str, model_id: str, has_tod: bool, valid_from: date, valid_to: date, variant: str,
             variant_key: str | None, variant_value: str | None, priority: int | None, period_idx: int | None,
             price_key: str, value: Any) -> None:
        unit = registry.unit_for_price_key(price_key)
        for tier_start, price in _tiers(value, quantize):
            rows.append({
                "provider_id": provider_id, "model_id": model_id, "valid_from": valid_from, "valid_to": valid_to,
                "variant": variant, "variant_key": variant_key, "variant_value": variant_value,
                "variant_priority": priority, "period_idx": period_idx, "price_key": price_key,
                "usage_key": unit.usage_key, "per_units": int(unit.per), "tier_start_input_tokens": tier_start,
                "usd_per_unit_block": price, "has_time_of_day_prices": has_tod,
            })

    for provider in providers:
        for model in provider.models:
            conditional = [] if isinstance(model.prices, t.ModelPrice) else list(model.prices)
            has_tod = any(isinstance(p.constraint, t.TimeOfDateConstraint) for p in conditional) or any(
                isinstance(v.constraint, t.TimeOfDateConstraint) for v in model.price_variants or ()
            )
            for valid_from, valid_to, idx in _base_periods(model):
                model_price = model.prices if isinstance(model.prices, t.ModelPrice) else conditional[idx].prices
                for price_key, value in _price_items(model_price, registry):
                    emit(provider.id, model.id, has_tod, valid_from, valid_to, "base", None, None, None, idx,
                         price_key, value)

            for when, members in _variant_groups(model).items():
                label, variant_key, variant_value = _variant_label(when)
                price_keys = list(dict.fromkeys(k for _, v, _ in members for k, _ in _price_items(v.prices, registry)))
                per_key: dict[str, list[tuple[date, date, int | None]]] = {k: [] for k in price_keys}
                for start, end in _ranges(_segment_starts(c for _, _, c in members)):
                    active = [(idx, v) for idx, v, c in members if _constraint_active_on(c, start)]
                    for price_key in price_keys:
                        winner = next((idx for idx, v in active if getattr(v.prices, price_key, None) is not None),
                                      None)
                        per_key[price_key].append((start, end, winner))
                for price_key, segments in per_key.items():
                    for valid_from, valid_to, idx in _merge(segments):
                        if idx is None:
                            continue
                        value = getattr(model.price_variants[idx].prices, price_key)
                        emit(provider.id, model.id, has_tod, valid_from, valid_to, label, variant_key, variant_value,
                             idx, None, price_key, value)

    if quantize.rounded:
        log.info("genai-prices: %d price values rounded half-up to %d decimals", quantize.rounded, PRICE_SCALE)

    content_schema = {k: v for k, v in LLM_PRICE_SNAPSHOT.items() if k != "price_snapshot_id"}
    df = pl.DataFrame(rows, schema=content_schema).sort(
        ["provider_id", "model_id", "variant", "price_key", "valid_from", "tier_start_input_tokens"]
    )
    digest = hashlib.sha256(df.write_csv().encode()).hexdigest()[:12]
    snapshot_id = f"genai-prices=={_package_version('genai-prices')}:{digest}"
    df = df.with_columns(pl.lit(snapshot_id, pl.String).alias("price_snapshot_id")).select(list(LLM_PRICE_SNAPSHOT))
    return df, snapshot_id


# --------------------------------------------------------------------------------------------------------------
# model resolution


def load_provider_map(path: str | Path | None = None) -> dict[str, str]:
    """OTel `gen_ai.provider.name` -> genai-prices provider id, from the dbt seed `llm_provider_map.csv`."""
    with open(path or PROVIDER_MAP_CSV, newline="", encoding="utf-8") as f:
        return {
            row["otel_provider_name"].strip().lower(): row["price_provider_id"].strip()
            for row in csv.DictReader(f)
            if row.get("otel_provider_name")
        }


def resolve_models(
    pairs: Iterable[tuple[str | None, str | None]],
    providers: Sequence[Any] | None = None,
    provider_map: dict[str, str] | None = None,
) -> pl.DataFrame:
    """Resolve distinct (provider name as logged, model string) pairs to genai-prices models (`LLM_MODEL_RESOLUTION`).

    Call once per run over the distinct strings. Matching is genai-prices' own (`DataSnapshot.find_provider_model`:
    provider by id then by its `provider_match`, model by the provider's `match` rules, then its
    `fallback_model_providers`); the OTel provider name is mapped through the seed first (`gcp.vertex_ai` ->
    google, `azure.ai.openai` -> azure, ...). A name not in the seed is passed as is (genai-prices' provider
    matching, e.g. `litellm`); a null name matches the provider by the model string. Unknown -> null ids.

    `price_variants_apply` is false when the model was found through a fallback provider (Azure serving an OpenAI
    model, Vertex a Claude model): `ModelInfo.calc_price` then ignores the price context, so batch and service
    tier prices do not apply; the SQL follows it.
    """
    from genai_prices.data_snapshot import DataSnapshot

    snapshot = DataSnapshot(
        providers=list(providers if providers is not None else _bundled_providers()), from_auto_update=False
    )
    mapping = provider_map if provider_map is not None else load_provider_map()
    owner_by_model = {id(m): p for p in snapshot.providers for m in p.models}

    out: list[dict[str, Any]] = []
    seen: set[tuple[str | None, str | None]] = set()
    for provider_name, model_string in pairs:
        if (provider_name, model_string) in seen or not model_string:
            continue
        seen.add((provider_name, model_string))
        row: dict[str, Any] = {"provider_name": provider_name, "model_string": model_string}
        name = (provider_name or "").strip().lower()
        provider_id = mapping.get(name, name) or None
        try:
            provider, model = snapshot.find_provider_model(model_string, None, provider_id, None)
        except LookupError:
            provider = model = None
        if model is not None:
            owner = owner_by_model.get(id(model), provider)
            row |= {
                "price_provider_id": owner.id,
                "price_model_id": model.id,
                "matched_provider_id": provider.id,
                "price_variants_apply": any(m is model for m in provider.models),
            }
        out.append(row)
    return pl.DataFrame(out, schema=LLM_MODEL_RESOLUTION) if out else pl.DataFrame(schema=LLM_MODEL_RESOLUTION)

