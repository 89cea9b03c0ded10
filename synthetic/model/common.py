"""Names and numbers every part of the model shares, and its helpers: Decimal rounding, UTC calendar days, seeded
random draws (UUIDs, hex, Kubernetes name suffixes, Poisson counts) and the weekday / hour-of-day activity curves.

Randomness only ever comes from a `random.Random` handed in (one named stream per part, `named_rng`): no global
random state, no wall clock.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

CLUSTER = "prod-eks"
REGION = "us-east-1"
AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
EXPORT_NAME = "unitcost-demo"
BUCKET = "unitcost-demo-bucket"
BUCKET_PREFIX = "cur"
SHARED_NAMESPACES = ("kube-system", "monitoring")
PLANS = ("free", "starter", "pro", "enterprise")
LLM_FEATURES = ("chat", "search", "summarize", "api", "ingest")
REQUEST_FEATURES = ("api", "search")  # the shared (multi-tenant) features that have request metrics
SNAPSHOT_EVERY_H = 6
GIB = 1024**3

Q8 = Decimal("0.00000001")
Q6 = Decimal("0.000001")
Q5 = Decimal("0.00001")
Q2 = Decimal("0.01")


def q(x: Decimal | float | int | str, quantum: Decimal = Q8) -> Decimal:
    return Decimal(str(x)).quantize(quantum, rounding=ROUND_HALF_UP)


def day_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def days_in_month(d: date) -> int:
    return (next_month(d) - month_start(d)).days


def iso_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def random_hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


_K8S_ALNUM = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet Kubernetes uses for generated name suffixes


def k8s_suffix(rng: random.Random, n: int = 5) -> str:
    return "".join(rng.choice(_K8S_ALNUM) for _ in range(n))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 60:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def weekday_factor(d: date) -> float:
    return 1.0 if d.weekday() < 5 else 0.6


def diurnal(hour: int) -> float:
    """Relative activity per UTC hour (peak ~15:00 UTC, the US/EU overlap)."""
    return 0.4 + 0.6 * (1 + math.cos(2 * math.pi * (hour - 15) / 24)) / 2


def named_rng(seed: int, name: str) -> random.Random:
    return random.Random(f"unitcost-synthetic:{seed}:{name}")
