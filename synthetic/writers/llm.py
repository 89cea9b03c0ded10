"""Native LLM usage events as JSON lines with OTel GenAI attribute names, one folder per the writer's local date."""

from __future__ import annotations

import json
from datetime import UTC, date, timedelta
from pathlib import Path

from ..model import Model

LLM_LINES_PER_FILE = 5000


def _timestamp(call) -> str:
    local = call.at.astimezone(UTC) + timedelta(minutes=call.offset_min)
    s = local.strftime("%Y-%m-%dT%H:%M:%S")
    if call.millis:
        s += f".{local.microsecond // 1000:03d}"
    if call.offset_style == "Z":
        return s + "Z"
    if call.offset_style == "+00:00" or call.offset_min == 0:
        return s + "+00:00"
    sign = "+" if call.offset_min >= 0 else "-"
    h, m = divmod(abs(call.offset_min), 60)
    return f"{s}{sign}{h:02d}:{m:02d}"


def llm_event(call) -> dict:
    e: dict = {
        "timestamp": _timestamp(call),
        "event_id": call.event_id,
        "tenant.id": call.tenant_id,
        "feature.id": call.feature_id,
        "gen_ai.provider.name": call.provider_name,
        "gen_ai.request.model": call.request_model,
        "gen_ai.response.model": call.response_model,
        "gen_ai.usage.input_tokens": call.input_tokens,
        "gen_ai.usage.output_tokens": call.output_tokens,
        "gen_ai.usage.cache_read.input_tokens": call.cache_read,
    }
    if call.provider_name == "anthropic":
        e["gen_ai.usage.cache_creation.input_tokens"] = call.cache_creation
        if call.cache_creation_1h:
            e["cache_creation_1h.input_tokens"] = call.cache_creation_1h
    if call.request_model == "o3" or call.provider_name == "gcp.gemini":
        e["gen_ai.usage.reasoning.output_tokens"] = call.reasoning
    e["gen_ai.conversation.id"] = call.conversation_id
    e["service_tier"] = call.service_tier
    e["batch"] = call.batch
    e.update(call.extra)
    return e


def write_llm(model: Model, root: Path) -> None:
    by_folder: dict[date, list] = {}
    for call in model.llm_calls:
        by_folder.setdefault(call.folder_date, []).append(call)
    for folder_day in sorted(by_folder):
        calls = sorted(by_folder[folder_day], key=lambda c: (c.at, c.event_id))
        folder = root / folder_day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(0, len(calls), LLM_LINES_PER_FILE):
            lines = [json.dumps(llm_event(c), separators=(",", ":")) for c in calls[i : i + LLM_LINES_PER_FILE]]
            (folder / f"events-{i // LLM_LINES_PER_FILE + 1}.jsonl").write_text("\n".join(lines) + "\n")
