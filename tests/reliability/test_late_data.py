"""Late and early data, exactly once (docs/money-and-time.md, "Late and early data"), and idempotence: the same zone
run as one range and as daily runs as the files arrive gives identical marts, the late call counted in its own
day, the calls outside the lookback quarantined with a count; re-running the first day alone afterwards (the run
that used to drop the late call again) changes no row of any mart.

Five pipeline runs in all (they are the cost): one range run, three daily runs, one re-run. The first version ran
six on three zones (a third slicing, later days first and then the first day alone, is the re-run here: the first
day alone after its later days were built); the run ordering as such is covered at the function level by
test_properties.py::test_any_runs_that_end_with_every_day_run_give_each_day_its_rows_exactly_once."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from zone import D1, D2, D3, assert_conserved, copy_zone, mart_hashes, query, small_zone

from dagster_project.cli import run_pipeline
from dagster_project.defs.dbt.project import dbt_project
from dagster_project.lib.lookback import earlier_days, folders_of, place
from ingest.schemas import LLM_EVENTS, empty

pytestmark = pytest.mark.slow

# folder -> (call id, timestamp): 1 day late (counted in D1), 2 days late and 2 days early (lookback_days 1: both
# quarantined under their folder's day)
LATE_FILES = {
    D2: ("late-within", "2026-10-01T23:00:00Z"),
    D3: ("late-beyond", "2026-10-01T22:00:00Z"),
}
EARLY_FILE = (D1, ("early-beyond", "2026-10-03T01:00:00Z"))


def _write_call(config: Path, folder: date, event_id: str, at: str) -> None:
    landing = config.parent / "landing" / "llm"
    template = json.loads((landing / D1.isoformat() / "events-1.jsonl").read_text().splitlines()[0])
    call = {**template, "event_id": event_id, "timestamp": at, "tenant.id": "t001"}
    (landing / folder.isoformat() / f"{event_id}.jsonl").write_text(json.dumps(call) + "\n")


def _run(config: Path, start: date, end: date | None = None):
    result = run_pipeline(str(config), start, end or start, raise_on_error=False)
    assert result.success, [str(e.event_specific_data.error)[:1500] for e in result.all_events
                            if e.event_type_value == "STEP_FAILURE"]
    return result


def _quarantine_metadata(result) -> dict:
    """What Dagster recorded of the run's LLM quarantine: {reason: rows}."""
    event = next(m for m in result.get_asset_materialization_events()
                 if m.asset_key.path == ["raw", "llm_events_quarantine"])
    return event.materialization.metadata["by_reason"].value


def _slicings(zone: Path, base: Path) -> dict[str, Path]:
    out = {}
    at_once = out["one range run"] = copy_zone(zone, base / "range")
    for folder, (event_id, at) in [*LATE_FILES.items(), EARLY_FILE]:
        _write_call(at_once, folder, event_id, at)
    by_reason = _quarantine_metadata(_run(at_once, D1, D3))
    # counted in Dagster's metadata too, not only in the table and the CLI output
    assert by_reason["early_beyond_lookback"] == 1 and by_reason["late_beyond_lookback"] == 1, by_reason

    # the daily schedule: each folder's late file lands just before its day's run
    daily = out["daily, as files arrive"] = copy_zone(zone, base / "daily")
    _write_call(daily, EARLY_FILE[0], *EARLY_FILE[1])
    for day in (D1, D2, D3):
        if day in LATE_FILES:
            _write_call(daily, day, *LATE_FILES[day])
        _run(daily, day)
    return out


# credentials in the environment of every run: never written to the warehouse or to dbt's artifacts
SECRETS = {"AWS_SECRET_ACCESS_KEY": "unitcost-test-aws-secret-0f3b9", "AWS_ACCESS_KEY_ID": "AKIAUNITCOSTTEST0F3B",
           "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/unitcost-test-google-0f3b9.json"}


def _files_holding(paths, needles: list[bytes]) -> list[str]:
    return [str(p) for p in paths if p.is_file() and any(n in p.read_bytes() for n in needles)]


def test_two_slicings_of_one_zone_give_one_answer_and_a_re_run_changes_nothing(tmp_path, monkeypatch):
    """One test (the runs are its cost): both slicings' marts identical, the late call in its own day, the calls
    outside the lookback quarantined under their folder's day, conservation on every day; the first day re-run
    alone after the others changes no mart's rows; the credentials in the runs' environment in no file they wrote."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    started = time.time()
    zone = small_zone(tmp_path / "zone", lookback_days=1)
    slicings = _slicings(zone, tmp_path)
    hashes = {name: mart_hashes(config) for name, config in slicings.items()}
    reference = hashes["one range run"]
    assert len(reference) > 10
    daily = slicings["daily, as files arrive"]
    assert hashes["daily, as files arrive"] == reference, sorted(
        t for t in reference if hashes["daily, as files arrive"].get(t) != reference[t])

    # idempotence: the first day alone, after every later day was built, finds its late call again
    _run(daily, D1)
    slicings["daily, then D1 re-run alone"] = daily
    again = mart_hashes(daily)
    assert again == reference, sorted(t for t in reference if again.get(t) != reference[t])

    for name, config in slicings.items():
        assert_conserved(config)
        assert query(config, "select event_id, usage_date from raw.llm_events where event_id like '%-within' "
                             "or event_id like '%-beyond'") == [("late-within", D1)], name
        assert sorted(query(config, "select event_id, usage_date, reason from raw.llm_events_quarantine "
                                    "where event_id like '%-beyond'")) == [
            ("early-beyond", D1, "early_beyond_lookback"), ("late-beyond", D3, "late_beyond_lookback")], name

    needles = [v.encode() for v in SECRETS.values()]
    written = [p for config in slicings.values() for p in (config.parent / "warehouse").iterdir()]
    run_folders = [p for p in dbt_project().project_dir.joinpath("target").glob("*/**/*")
                   if p.is_file() and p.stat().st_mtime >= started]
    assert len(written) >= 4 and run_folders
    assert _files_holding(written + run_folders, needles) == []


def test_folders_read_and_days_re_materialized():
    assert folders_of([D2], 3) == {D1, D2, D3, D3 + timedelta(1), D3 + timedelta(2)}
    frame = empty(LLM_EVENTS).vstack(empty(LLM_EVENTS).clear(3).with_columns(
        usage_date=pl.Series([D1 - timedelta(4), D1, D3 + timedelta(1)])))
    placed = place(frame, D3, 1)
    assert placed["usage_date"].to_list() == [D3, D3, D3 + timedelta(1)]
    assert placed["lookback"].to_list() == ["late_beyond_lookback", "late_beyond_lookback", None]
    within = placed.filter(placed["lookback"].is_null())
    assert earlier_days([(D3, within)], [D3 + timedelta(1)], D1) == []
    late = empty(LLM_EVENTS).clear(2).with_columns(usage_date=pl.Series([D1, D2]))
    # a folder of the run's days: its earlier rows are re-materialized (from start_date on) ...
    assert earlier_days([(D3, late)], [D3], D2) == [D2]
    # ... the folder of the day before the run is read for the run's own early rows only
    assert earlier_days([(D2, late)], [D3], D1) == []
