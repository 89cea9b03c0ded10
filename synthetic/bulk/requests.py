"""Hourly request counts for every tenant x feature (Prometheus increase(...[1h]) samples, whole numbers): the
drivers of the shared api and search workloads. Row `hour` h is the sample at window start + h + 1 hours, which
covers hour h (so it belongs to that hour's UTC day)."""

from __future__ import annotations

import numpy as np
import polars as pl

from ..model.common import LLM_FEATURES, diurnal

DAILY_PER_FEATURE = {"chat": 30_000, "search": 120_000, "summarize": 8_000, "api": 400_000, "ingest": 15_000}


def build_request_counts(tenants, hours: int, hour_of_day: np.ndarray, weekday: np.ndarray,
                         rng: np.random.Generator, scale: float) -> pl.DataFrame:
    n_t, n_f = len(tenants), len(LLM_FEATURES)
    sizes = np.array([t.size for t in tenants]) ** 0.85
    base = np.array([DAILY_PER_FEATURE[f] for f in LLM_FEATURES]) * scale * n_t / 50
    hw = np.array([diurnal(h) for h in range(24)])
    hw = hw / hw.sum()
    t_idx = np.repeat(np.arange(n_t), n_f * hours)
    f_idx = np.tile(np.repeat(np.arange(n_f), hours), n_t)
    h_idx = np.tile(np.arange(hours), n_t * n_f)
    value = base[f_idx] * sizes[t_idx] / sizes.sum() * hw[hour_of_day[h_idx]] * weekday[h_idx]
    value = np.maximum(1, np.round(value * rng.uniform(0.85, 1.15, value.size))).astype(np.int64)
    return pl.DataFrame({"tenant": np.array([t.id for t in tenants])[t_idx],
                         "feature": np.array(LLM_FEATURES)[f_idx], "hour": h_idx.astype(np.int32), "value": value})
