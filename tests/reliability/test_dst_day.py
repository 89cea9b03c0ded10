"""A DST switch day in a source that logs local time (docs/money-and-time.md: a row belongs to the UTC day of its own
timestamp): an app in New York writes its calls with their -04:00 / -05:00 offsets into a folder named for its local
day. The local day has 23 or 25 hours; every call lands on its UTC day, the repeated hour of November is two hours,
and every token the folder holds is counted exactly once."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import polars as pl
import pytest
from new_york_day import local_day_calls

from dagster_project.lib.lookback import place
from ingest.llm.native import parse_native_jsonl


# (switch day, hours in the local day, of them on the UTC day itself, on the next UTC day): the local day starts at
# 05:00Z in March (EST) and 04:00Z in November (EDT); it ends at 04:00Z / 05:00Z of the next UTC day
CASES = [(date(2026, 3, 8), 23, 19, 4), (date(2026, 11, 1), 25, 20, 5)]


@pytest.mark.parametrize(("day", "hours", "on_day", "on_next"), CASES, ids=["spring-forward", "fall-back"])
def test_calls_of_a_dst_day_land_on_their_utc_day_and_every_token_counts_once(day, hours, on_day, on_next):
    calls = local_day_calls(day)
    assert len(calls) == hours
    body = "\n".join(json.dumps(c) for c in calls).encode() + b"\n"
    ok, bad = parse_native_jsonl(body, f"{day}/app-ny.jsonl")
    assert bad.height == 0

    placed = place(ok, day, 3)  # the folder is the local day's; the next UTC day is within its lookback
    assert placed["lookback"].null_count() == hours
    per_day = dict(placed.group_by("usage_date").agg(pl.len(), pl.col("input_tokens").sum())
                   .sort("usage_date").select("usage_date", pl.struct("len", "input_tokens")).iter_rows())
    # calls 0 .. on_day - 1 on the day, the rest on the next: tokens 1000 + i summed by hand over each range
    assert per_day == {
        day: {"len": on_day, "input_tokens": sum(1000 + i for i in range(on_day))},
        day + timedelta(1): {"len": on_next, "input_tokens": sum(1000 + i for i in range(on_day, hours))},
    }
    assert placed["input_tokens"].sum() == sum(c["gen_ai.usage.input_tokens"] for c in calls)
    # UTC instants one hour apart, whatever the local clock did
    at = placed.sort("event_at")["event_at"].to_list()
    assert all(b - a == timedelta(hours=1) for a, b in zip(at, at[1:]))
    assert placed["event_id"].n_unique() == hours


def test_the_repeated_hour_of_november_is_two_calls_an_hour_apart():
    twice = [c for c in local_day_calls(date(2026, 11, 1)) if c["timestamp"].startswith("2026-11-01T01:30")]
    assert [c["timestamp"] for c in twice] == ["2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"]
    ok, _ = parse_native_jsonl("\n".join(json.dumps(c) for c in twice).encode(), "2026-11-01/app-ny.jsonl")
    assert ok["event_at"].to_list() == [datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc),
                                        datetime(2026, 11, 1, 6, 30, tzinfo=timezone.utc)]
    assert ok["usage_date"].to_list() == [date(2026, 11, 1)] * 2
