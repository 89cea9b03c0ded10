"""The tenants: ids, names, plans, a heavy-tailed share of activity and the product features each one uses."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .common import LLM_FEATURES


@dataclass
class Tenant:
    id: str
    name: str
    plan: str
    size: float  # share of activity, Σ = 1
    llm_features: list[str]
    request_features: list[str]
    rank: int  # 0 = largest


_NAME_A = ("Blue", "North", "Bright", "Quantum", "Silver", "Red", "Swift", "Iron", "Cloud", "Pixel", "Lumen",
           "Vector", "Atlas", "Nova", "Cedar", "Harbor", "Summit", "Echo", "Orbit", "Zenith", "Granite", "Maple",
           "Coral", "Falcon")
_NAME_B = ("Labs", "Works", "Analytics", "Systems", "Dynamics", "Health", "Logistics", "Retail", "Capital", "Media",
           "Robotics", "Foods", "Legal", "Energy", "Travel", "Bio", "Learning", "Security", "Insurance", "Studios")


def build_tenants(n: int, rng: random.Random) -> list[Tenant]:
    # heavy tail: Zipf-like rank weights with lognormal noise, so a few enterprise tenants dominate
    raw = sorted((((r + 1) ** -1.2) * rng.lognormvariate(0, 0.25) for r in range(n)), reverse=True)
    total = sum(raw)
    sizes = [x / total for x in raw]
    n_ent = max(1, round(0.1 * n))
    n_pro = round(0.25 * n)
    n_starter = round(0.3 * n)
    width = max(3, len(str(n)))
    ids = [f"t{i + 1:0{width}d}" for i in range(n)]
    rng.shuffle(ids)  # ids do not give away the size
    combos = [f"{a} {b}" for a in _NAME_A for b in _NAME_B]
    rng.shuffle(combos)
    tenants = []
    for rank in range(n):
        if rank < n_ent:
            plan = "enterprise"
        elif rank < n_ent + n_pro:
            plan = "pro"
        elif rank < n_ent + n_pro + n_starter:
            plan = "starter"
        else:
            plan = "free"
        name = combos[rank % len(combos)] + ("" if rank < len(combos) else f" {rank // len(combos) + 1}")
        # LLM features: bigger tenants use more of the product
        feats = [f for f in LLM_FEATURES if rng.random() < {"chat": 0.85, "search": 0.6, "summarize": 0.5,
                                                            "api": 0.4 + (0.4 if plan == "enterprise" else 0),
                                                            "ingest": 0.3 + (0.5 if plan == "enterprise" else 0)}[f]]
        if not feats:
            feats = ["chat"]
        req = ["api"] + (["search"] if ("search" in feats or rng.random() < 0.3) else [])
        tenants.append(Tenant(ids[rank], name, plan, sizes[rank], feats, req, rank))
    return tenants
