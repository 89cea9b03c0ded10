"""A DST day in a non-UTC source through the whole pipeline (test_dst_day.py is the parser's half): an app in New
York logs its LLM calls with local offsets (-04:00 until 2026-11-01 02:00 local, -05:00 after) into folders named for
its local days 10-31 (24 hours) and 11-01 (25 hours, the fall-back day). The pipeline run over those days puts
every call on its own UTC day exactly once (raw, and the LLM mart), the ledger conserves on every published day, and
re-running a day alone afterwards changes nothing."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from new_york_day import local_day_calls
from zone import assert_conserved, mart_hashes, query

from dagster_project.cli import run_pipeline
from synthetic import generate

pytestmark = pytest.mark.slow

START, DAYS = date(2026, 10, 30), 4  # 10-30 .. 11-02
FEATURE = "dst-ny-app"


def _run(config, start: date, end: date) -> None:
    result = run_pipeline(str(config), start, end, raise_on_error=False)
    assert result.success, [str(e.event_specific_data.error)[:1500] for e in result.all_events
                            if e.event_type_value == "STEP_FAILURE"]


def test_a_dst_day_in_a_new_york_source_lands_each_call_on_its_utc_day_once(tmp_path):
    config = generate(tmp_path / "zone", START, DAYS, 2, seed=11, scale=0.2)
    expected: dict[str, list] = {}  # UTC day -> [calls, input tokens]
    for local_day in (date(2026, 10, 31), date(2026, 11, 1)):
        calls = local_day_calls(local_day, **{"feature.id": FEATURE})
        folder = config.parent / "landing" / "llm" / local_day.isoformat()
        (folder / "app-ny.jsonl").write_text("".join(json.dumps(c) + "\n" for c in calls))
        for c in calls:
            utc_day = datetime.fromisoformat(c["timestamp"]).astimezone(timezone.utc).date().isoformat()
            tally = expected.setdefault(utc_day, [0, 0])
            tally[0] += 1
            tally[1] += c["gen_ai.usage.input_tokens"]
    # by hand: 10-31 local is 04:00Z 10-31 .. 04:00Z 11-01 (24 calls: 20 + 4); 11-01 local is 04:00Z 11-01 ..
    # 05:00Z 11-02 (25 calls: 20 + 5, the repeated 01:30 twice, once at -04:00 and once at -05:00)
    assert {d: n for d, (n, _) in expected.items()} == {"2026-10-31": 20, "2026-11-01": 24, "2026-11-02": 5}
    offsets = [c["timestamp"][-6:] for c in local_day_calls(date(2026, 11, 1))]
    assert offsets.count("-04:00") == 2 and offsets.count("-05:00") == 23  # 00:30, 01:30 EDT; 01:30 EST on

    _run(config, date(2026, 10, 31), date(2026, 11, 2))

    raw = query(config, "select usage_date::varchar, count(*), count(distinct event_id), sum(input_tokens) "
                        "from raw.llm_events where event_id like 'ny-%' group by 1 order by 1")
    assert raw == [(d, n, n, tokens) for d, (n, tokens) in sorted(expected.items())]
    assert query(config, "select count(*) from raw.llm_events_quarantine where event_id like 'ny-%'") == [(0,)]
    mart = query(config, "select usage_date::varchar, sum(calls), sum(input_tokens) from marts.llm_token_economics_daily "
                         "where feature_id = ? group by 1 order by 1", [FEATURE])
    assert mart == [(d, n, tokens) for d, (n, tokens) in sorted(expected.items())]
    assert_conserved(config)

    # the fall-back day alone, afterwards: every mart row as it was
    before = mart_hashes(config)
    _run(config, date(2026, 11, 1), date(2026, 11, 1))
    assert mart_hashes(config) == before
    assert_conserved(config)
