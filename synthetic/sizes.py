"""Workload sizes for `unitcost generate --size S|M|L`: each size names the days, tenants and volume scale it
generates, and which generator writes it. An explicit --days / --tenants / --scale overrides only what it names.

- S: the demo (the object-model generator, synthetic/model/): 14 days x 50 tenants, every edge case the tests pin;
- M: one month of a 500-tenant AI SaaS at realistic volume (the bulk generator, synthetic/bulk/): about $51k a
  month (EKS compute 36 %, RDS 16 %, S3 7 %, data transfer 12 %, LLM APIs 29 %), about 5 M hourly CUR 2.0 line
  items, 1.5 M OpenCost pod-hours on several clusters, 3 M LLM calls, hourly requests for every tenant x feature;
- L: ten times M (5,000 tenants, the same 30 days).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    days: int
    tenants: int
    scale: float
    bulk: bool  # True: synthetic/bulk/ (vectorised, realistic volumes); False: synthetic/model/ (the demo)


SIZES = {
    "S": Size("S", days=14, tenants=50, scale=1.0, bulk=False),
    "M": Size("M", days=30, tenants=500, scale=1.0, bulk=True),
    "L": Size("L", days=30, tenants=5000, scale=1.0, bulk=True),
}


def resolve(size: str, days: int | None = None, tenants: int | None = None, scale: float | None = None) -> Size:
    """The size named, with each explicit override (not None) replacing its own field only."""
    if size not in SIZES:
        raise ValueError(f"size {size!r}: expected one of {', '.join(SIZES)}")
    base = SIZES[size]
    return Size(base.name, base.days if days is None else days, base.tenants if tenants is None else tenants,
                base.scale if scale is None else scale, base.bulk)
