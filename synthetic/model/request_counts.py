"""Request counts of the shared features by tenant: hourly samples of Prometheus'
increase(http_requests_total[1h]), the driver that splits a shared workload's cost over tenants.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .common import day_start, diurnal, weekday_factor
from .tenants import Tenant


def build_requests(window: list[date], tenants: list[Tenant], rng: random.Random, scale: float):
    out: dict[date, dict[tuple[str, str], list[tuple[int, str]]]] = {}
    hour_w = [diurnal(h) for h in range(24)]
    hw_total = sum(hour_w)
    base = {"api": 400_000.0, "search": 120_000.0}
    for d in window:
        series: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for t in tenants:
            for f in t.request_features:
                daily = base[f] * scale * (t.size ** 0.85) * weekday_factor(d) * rng.lognormvariate(0, 0.1)
                samples = []
                for h in range(24):
                    ts = int((day_start(d) + timedelta(hours=h + 1)).timestamp())  # covers (ts-1h, ts]
                    v = daily * hour_w[h] / hw_total * rng.uniform(0.85, 1.15)
                    samples.append((ts, repr(round(v, 6))))
                series[(t.id, f)] = samples
        out[d] = series
    return out
