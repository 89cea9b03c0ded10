"""The LLM calls of a bulk zone, as arrays, and their prices: genai-prices' per-million-token prices of each
(model, service tier, batch) read once through its own calculator (`price_call` on 100k-token probes), then applied
to the token arrays in integer arithmetic and rounded once per call to 9 decimals, half up - what `price_call` gives
call by call (`check_sample` proves it on a sample). Token counts are scaled so the month's LLM bill hits its budget.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import polars as pl

from ..llm_reference_prices import price_call
from ..model.llm_calls import FEATURE_MODELS, FEATURE_TOKENS, MAX_INPUT, MODELS
from ..model.common import LLM_FEATURES, diurnal
from .budget import LLM_CALLS_PER_TENANT_DAY

MODEL_NAMES = list(MODELS)
TIERS = ("default", "flex", "priority")
PROBE = 100_000  # tokens per probe: below every long-context tier
BUCKETS = ("uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output")


def build_calls(tenants, day_starts: list[datetime], weekday: np.ndarray, rng: np.random.Generator,
                scale: float) -> pl.DataFrame:
    """One row per call: day, at_ms (UTC epoch ms), tenant, feature, model index, tokens, tier, batch."""
    n_t = len(tenants)
    sizes = np.array([t.size for t in tenants])
    lam = LLM_CALLS_PER_TENANT_DAY * scale * n_t * sizes[None, :] * (weekday / weekday.mean())[:, None]
    counts = rng.poisson(lam)  # days x tenants
    day = np.repeat(np.repeat(np.arange(len(day_starts)), n_t), counts.ravel())
    tenant = np.repeat(np.tile(np.arange(n_t), len(day_starts)), counts.ravel())
    n = day.size
    feats = [[LLM_FEATURES.index(f) for f in t.llm_features] for t in tenants]
    n_feat = np.array([len(f) for f in feats])
    feat_table = np.array([f + [f[0]] * (5 - len(f)) for f in feats])
    feature = feat_table[tenant, (rng.random(n) * n_feat[tenant]).astype(int)]
    model = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    for fi, fname in enumerate(LLM_FEATURES):
        mask = feature == fi
        cum = np.cumsum([w for _, w in FEATURE_MODELS[fname]])
        choice = np.minimum(np.searchsorted(cum, u[mask] * cum[-1]), len(cum) - 1)
        model[mask] = np.array([MODEL_NAMES.index(m) for m, _ in FEATURE_MODELS[fname]])[choice]
    hw = np.array([diurnal(h) for h in range(24)])
    hour = rng.choice(24, size=n, p=hw / hw.sum())
    base_ms = np.array([int(d.timestamp() * 1000) for d in day_starts])[day]
    at_ms = base_ms + hour * 3_600_000 + rng.integers(0, 3_600_000, n)
    im, isg, om, osg = (np.array([FEATURE_TOKENS[f][k] for f in LLM_FEATURES]) for k in range(4))
    inp = np.clip(rng.lognormal(np.log(im[feature]), isg[feature]), 20, MAX_INPUT).astype(np.int64)
    out = np.clip(rng.lognormal(np.log(om[feature]), osg[feature]), 1, 16000).astype(np.int64)
    provider = np.array([MODELS[m][0] for m in MODEL_NAMES])[model]
    is_o3 = model == MODEL_NAMES.index("o3")
    df = pl.DataFrame({"day": day.astype(np.int32), "at_ms": at_ms, "tenant": tenant.astype(np.int32),
                       "feature": feature.astype(np.int8), "model": model.astype(np.int8), "provider": provider,
                       "input": inp, "output": np.where(is_o3, np.maximum(out, 50), out),
                       "r1": rng.random(n), "r2": rng.random(n), "r3": rng.random(n), "r4": rng.random(n)})
    oa, an, ge = (pl.col("provider") == p for p in ("openai", "anthropic", "gcp.gemini"))
    ingest = pl.col("feature") == LLM_FEATURES.index("ingest")
    return df.with_columns(
        cache_read=pl.when(oa & (pl.col("input") >= 1024) & (pl.col("r1") < 0.45))
        .then((pl.col("input") * (0.3 + 0.6 * pl.col("r2"))).cast(pl.Int64) // 128 * 128)
        .when(an & (pl.col("r1") < 0.6)).then((pl.col("input") * (0.3 + 0.55 * pl.col("r2"))).cast(pl.Int64))
        .when(ge & (pl.col("r1") < 0.2)).then((pl.col("input") * (0.2 + 0.5 * pl.col("r2"))).cast(pl.Int64))
        .otherwise(0),
        reasoning=pl.when(pl.lit(is_o3)).then((pl.col("output") * (0.3 + 0.5 * pl.col("r3"))).cast(pl.Int64))
        .when(ge & (pl.col("r3") < 0.5)).then((pl.col("output") * (0.2 + 0.5 * pl.col("r4"))).cast(pl.Int64))
        .otherwise(0),
        batch=(oa & ingest & (pl.col("r4") < 0.7)) | (an & (pl.col("r4") < 0.2)),
        tier=pl.when(pl.lit(is_o3) & (pl.col("r4") > 0.75)).then(1)
        .when(oa & ~ingest & (pl.col("r4") > 0.9)).then(2).otherwise(0).cast(pl.Int8),
    ).with_columns(
        cache_write=pl.when(an & (pl.col("r3") < 0.25))
        .then(((pl.col("input") - pl.col("cache_read")) * (0.2 + 0.6 * pl.col("r2"))).cast(pl.Int64)).otherwise(0),
    ).with_columns(
        cache_write_1h=pl.when(pl.col("r1") > 0.7).then((pl.col("cache_write") * pl.col("r4")).cast(pl.Int64))
        .otherwise(0),
    ).drop("r1", "r2", "r3", "r4")


def price_table(at: datetime) -> dict[tuple[int, int, bool], tuple[int, ...]]:
    """(model, tier, batch) -> the price of each bucket in 1e-6 dollars per million tokens (integers)."""
    table = {}
    for mi, name in enumerate(MODEL_NAMES):
        provider, _, response = MODELS[name]
        for ti, tier in enumerate(TIERS):
            for batch in (False, True):
                def probe(**kw) -> int:
                    p = price_call(response, provider, at, kw.get("i", 0), kw.get("o", 0), kw.get("cr", 0),
                                   kw.get("cw", 0), kw.get("cw1h", 0), 0, tier, batch)
                    return int(p * Decimal(1_000_000 // PROBE) * 1_000_000)
                table[(mi, ti, batch)] = (probe(i=PROBE), probe(i=PROBE, cr=PROBE), probe(i=PROBE, cw=PROBE),
                                          probe(i=PROBE, cw=PROBE, cw1h=PROBE), probe(o=PROBE))
    return table


def priced(calls: pl.DataFrame, table) -> pl.DataFrame:
    """Adds cost_nano: Σ bucket tokens x price (1e-6 $/Mtok = 1e-12 $ per token), rounded half up to 1e-9 $."""
    keys = pl.DataFrame([{"model": m, "tier": t, "batch": b, **{f"p_{k}": v for k, v in zip(BUCKETS, p)}}
                         for (m, t, b), p in table.items()],
                        schema_overrides={"model": pl.Int8, "tier": pl.Int8})
    c = pl.col
    e12 = (c("p_uncached") * (c("input") - c("cache_read") - c("cache_write")) + c("p_cache_read") * c("cache_read")
           + c("p_cache_write_5m") * (c("cache_write") - c("cache_write_1h"))
           + c("p_cache_write_1h") * c("cache_write_1h") + c("p_output") * c("output"))
    return (calls.join(keys, on=["model", "tier", "batch"], how="left", maintain_order="left")
            .with_columns(cost_nano=(e12 + 500) // 1000).drop([f"p_{k}" for k in BUCKETS]))


def scale_tokens(calls: pl.DataFrame, factor: float) -> pl.DataFrame:
    """Every token count x factor (floored, so every bucket stays inside its total; OpenAI cache reads stay
    multiples of 128)."""
    c = pl.col
    raw = {k: (c(k) * factor).cast(pl.Int64) for k in ("cache_read", "reasoning", "cache_write", "cache_write_1h")}
    out = calls.with_columns(input=(c("input") * factor).cast(pl.Int64).clip(20, MAX_INPUT),
                             output=(c("output") * factor).cast(pl.Int64).clip(1, None),
                             **{f"_{k}": v for k, v in raw.items()})
    out = out.with_columns(
        cache_read=pl.when(c("provider") == "openai").then(c("_cache_read") // 128 * 128)
        .otherwise(c("_cache_read")).clip(0, c("input")),
        reasoning=c("_reasoning").clip(0, c("output")),
    ).with_columns(cache_write=c("_cache_write").clip(0, c("input") - c("cache_read")))
    out = out.with_columns(cache_write_1h=c("_cache_write_1h").clip(0, c("cache_write")))
    return out.drop([f"_{k}" for k in raw])


def check_sample(calls: pl.DataFrame, n: int, rng: np.random.Generator) -> int:
    """price_call on n random calls must give cost_nano exactly; returns how many were checked."""
    rows = calls.sample(n=min(n, calls.height), seed=int(rng.integers(0, 2**31))).to_dicts()
    for r in rows:
        name = MODEL_NAMES[r["model"]]
        expected = price_call(MODELS[name][2], MODELS[name][0], datetime.fromtimestamp(r["at_ms"] / 1000, UTC),
                              r["input"], r["output"], r["cache_read"], r["cache_write"], r["cache_write_1h"],
                              r["reasoning"], TIERS[r["tier"]], r["batch"])
        if expected != Decimal(r["cost_nano"]) / 1_000_000_000:
            raise AssertionError(f"bulk LLM price {r} != genai-prices {expected}")
    return len(rows)
