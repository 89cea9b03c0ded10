"""A New York source's calls over a local day (DST tests): one call at half past every local hour, stamped in local
time with its offset, so a fall-back day has 25 calls and a spring-forward day 23."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")


def local_day_calls(day: date, **fields) -> list[dict]:
    """The calls of New York's local `day`; call k has id `ny-<day>-<k>` and 1000 + k input tokens, and carries
    `fields` (e.g. a feature id) besides the required ones."""
    start = datetime(day.year, day.month, day.day, tzinfo=NEW_YORK).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(1), datetime.min.time(), NEW_YORK).astimezone(timezone.utc)
    calls, at, k = [], start + timedelta(minutes=30), 0
    while at < end:
        calls.append({"timestamp": at.astimezone(NEW_YORK).isoformat(), "event_id": f"ny-{day}-{k}",
                      "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
                      "gen_ai.usage.input_tokens": 1000 + k, "gen_ai.usage.output_tokens": 10,
                      "tenant.id": "t001", **fields})
        at, k = at + timedelta(hours=1), k + 1
    return calls
