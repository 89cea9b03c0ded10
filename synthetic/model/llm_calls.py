"""The LLM calls: per tenant and day a Poisson number of calls to the models of each feature, with their token counts
(cache reads and writes, reasoning), batch and service tier, conversation, and the UTC offset their writer logs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .common import day_start, diurnal, poisson, random_hex, random_uuid, weekday_factor
from .tenants import Tenant

MODELS = {
    # request model: (otel provider, genai-prices provider id, response model)
    "gpt-4o-mini": ("openai", "openai", "gpt-4o-mini-2024-07-18"),
    "gpt-4.1": ("openai", "openai", "gpt-4.1-2025-04-14"),
    "o3": ("openai", "openai", "o3-2025-04-16"),
    "claude-sonnet-4-5": ("anthropic", "anthropic", "claude-sonnet-4-5-20250929"),
    "claude-haiku-4-5": ("anthropic", "anthropic", "claude-haiku-4-5-20251001"),
    "gemini-2.5-flash": ("gcp.gemini", "google", "gemini-2.5-flash"),
}
FEATURE_MODELS = {
    "chat": (("claude-sonnet-4-5", 0.5), ("gpt-4.1", 0.25), ("gpt-4o-mini", 0.25)),
    "search": (("gpt-4o-mini", 0.7), ("gemini-2.5-flash", 0.3)),
    "summarize": (("claude-haiku-4-5", 0.6), ("gemini-2.5-flash", 0.4)),
    "api": (("gpt-4.1", 0.4), ("o3", 0.3), ("claude-sonnet-4-5", 0.3)),
    "ingest": (("gpt-4o-mini", 0.5), ("claude-haiku-4-5", 0.3), ("gemini-2.5-flash", 0.2)),
}
FEATURE_TOKENS = {  # (input median, input sigma, output median, output sigma)
    "chat": (12000, 0.7, 700, 0.6),
    "search": (3000, 0.6, 250, 0.5),
    "summarize": (15000, 0.6, 900, 0.5),
    "api": (6000, 0.9, 1200, 0.8),
    "ingest": (10000, 0.7, 1500, 0.6),
}
MAX_INPUT = 120_000  # below every long-context tier (128k is the lowest here)
OFFSETS_MIN = (-420, -120, 330, 540)  # non-UTC writers: -07:00, -02:00, +05:30, +09:00


@dataclass
class LlmCall:
    event_id: str
    at: datetime  # UTC instant
    offset_min: int  # the writer's UTC offset in the timestamp string
    offset_style: str  # "Z" | "+00:00" | "offset"
    millis: bool
    tenant_id: str
    feature_id: str
    provider_name: str  # OTel gen_ai.provider.name
    provider_id: str  # genai-prices id (the invoicing provider)
    request_model: str
    response_model: str
    input_tokens: int  # inclusive of cache reads and writes
    output_tokens: int  # inclusive of reasoning
    cache_read: int
    cache_creation: int
    cache_creation_1h: int
    reasoning: int
    conversation_id: str
    service_tier: str
    batch: bool
    extra: dict[str, object]

    @property
    def usage_date(self) -> date:
        return self.at.date()

    @property
    def local(self) -> datetime:
        return self.at + timedelta(minutes=self.offset_min)

    @property
    def folder_date(self) -> date:
        return self.local.date()


def _lognormal_tokens(rng: random.Random, median: float, sigma: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, int(rng.lognormvariate(math.log(median), sigma))))


def build_llm_calls(window: list[date], tenants: list[Tenant], rng: random.Random, scale: float) -> list[LlmCall]:
    calls: list[LlmCall] = []
    per_tenant = 60.0 * scale
    n = len(tenants)
    convs: dict[tuple[str, str], list[str]] = {}
    hour_w = [diurnal(h) for h in range(24)]
    for d in window:
        ds = day_start(d)
        day_calls: list[LlmCall] = []
        for t in tenants:
            lam = per_tenant * n * t.size * weekday_factor(d)
            k = poisson(rng, lam)
            for _ in range(k):
                feature = rng.choice(t.llm_features)
                model = rng.choices([m for m, _ in FEATURE_MODELS[feature]], [w for _, w in FEATURE_MODELS[feature]])[0]
                otel, pid, resp = MODELS[model]
                at = ds + timedelta(hours=rng.choices(range(24), hour_w)[0], seconds=rng.randrange(0, 3600),
                                    microseconds=rng.randrange(0, 1000) * 1000)
                im, isg, om, osg = FEATURE_TOKENS[feature]
                inp = _lognormal_tokens(rng, im, isg, 20, MAX_INPUT)
                out = _lognormal_tokens(rng, om, osg, 1, 16000)
                cr = cw = cw1h = reasoning = 0
                batch = False
                tier = "default"
                if otel == "openai":
                    if inp >= 1024 and rng.random() < 0.45:
                        cr = int(inp * rng.uniform(0.3, 0.9)) // 128 * 128
                    if feature == "ingest" and rng.random() < 0.7:
                        batch = True
                    elif model == "o3" and rng.random() < 0.25:
                        tier = "flex"
                    elif model in ("gpt-4.1", "gpt-4o-mini") and feature in ("api", "search") and rng.random() < 0.12:
                        tier = "priority"
                    if model == "o3":
                        out = max(out, 50)
                        reasoning = int(out * rng.uniform(0.3, 0.8))
                elif otel == "anthropic":
                    if rng.random() < 0.6:
                        cr = int(inp * rng.uniform(0.3, 0.85))
                    if rng.random() < 0.25:
                        cw = int((inp - cr) * rng.uniform(0.2, 0.8))
                        if rng.random() < 0.3:
                            cw1h = int(cw * rng.uniform(0.3, 1.0))
                    if feature in ("ingest", "summarize") and rng.random() < 0.35:
                        batch = True
                else:  # gemini
                    if rng.random() < 0.2:
                        cr = int(inp * rng.uniform(0.2, 0.7))
                    if rng.random() < 0.5:
                        reasoning = int(out * rng.uniform(0.2, 0.7))
                key = (t.id, feature)
                pool = convs.setdefault(key, [])
                if pool and rng.random() < 0.6:
                    conv = rng.choice(pool[-20:])
                else:
                    conv = "conv_" + random_hex(rng, 24)
                    pool.append(conv)
                u = rng.random()
                style = "Z" if u < 0.88 else ("+00:00" if u < 0.97 else "offset")
                offset = rng.choice(OFFSETS_MIN) if style == "offset" else 0
                extra: dict[str, object] = {"gen_ai.operation.name": "chat"}
                if rng.random() < 0.1:
                    extra["http.route"] = f"/v1/{feature}"
                day_calls.append(LlmCall(
                    event_id=random_uuid(rng), at=at, offset_min=offset, offset_style=style, millis=rng.random() < 0.7,
                    tenant_id=t.id, feature_id=feature, provider_name=otel, provider_id=pid, request_model=model,
                    response_model=resp, input_tokens=inp, output_tokens=out, cache_read=cr, cache_creation=cw,
                    cache_creation_1h=cw1h, reasoning=reasoning, conversation_id=conv, service_tier=tier,
                    batch=batch, extra=extra))
        # near-midnight events written by non-UTC writers: their folder (local date) differs from the UTC day
        if day_calls:
            early = rng.choice(day_calls)
            early.at = ds + timedelta(hours=1, minutes=59, seconds=30)
            early.offset_min, early.offset_style, early.millis = -120, "offset", False  # 23:59:30-02:00, day before
            late = rng.choice([c for c in day_calls if c is not early] or [early])
            if late is not early:
                late.at = ds + timedelta(hours=23, minutes=rng.randrange(0, 59), seconds=rng.randrange(0, 60))
                late.offset_min, late.offset_style = 540, "offset"  # +09:00: next local day
        calls.extend(day_calls)
    calls.sort(key=lambda c: (c.at, c.event_id))
    return calls
