"""The bill-delivery sensor and the daily schedule, evaluated directly (tests/test_daemon.py runs them under a real
daemon): what a new delivery launches, what it does not, and the config keys and instance file behind them."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from pathlib import Path

import dagster as dg
import pytest
from test_bill_ingest import cur2_row, put, write_cur2_delivery

from dagster_project.cli import RANGE_END_TAG, RANGE_START_TAG, main
from dagster_project.defs.cloud_bill.sensors import DELIVERY_TAG, SENSOR_NAME, period_days
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.definitions import build_definitions
from dagster_project.lib.config import load_config
from dagster_project.lib.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def _company(root: Path, extra: str = "") -> UnitcostConfigResource:
    root.mkdir(parents=True, exist_ok=True)
    (root / "unitcost.yaml").write_text(
        "start_date: 2026-10-05\nwarehouse: {path: warehouse/unitcost.duckdb}\n"
        "sources:\n  cur: {uri: landing/cur, name: cur}\n" + extra
    )
    return UnitcostConfigResource(path=str(root / "unitcost.yaml"))


def _evaluate(resource: UnitcostConfigResource, cursor: str | None):
    sensor = build_definitions(resource).resolve_sensor_def(SENSOR_NAME)
    return sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, resources={"unitcost": resource}))


def test_a_restated_month_launches_one_run_over_its_days_once(tmp_path):
    landing = tmp_path / "landing" / "cur"
    write_cur2_delivery(landing, "2026-10", "exec-1", [[cur2_row("1.50")]], "20261101T010000Z")
    write_cur2_delivery(landing, "2026-11", "exec-1", [[cur2_row("2.00", "2026-11-02T00:00:00")]],
                        "20261201T010000Z")
    resource = _company(tmp_path)

    first = _evaluate(resource, None)  # notes what is there, launches nothing
    assert not first.run_requests and "2 bill deliveries noted" in first.skip_message
    assert sorted(json.loads(first.cursor)) == ["cur|2026-10|exp|cur2", "cur|2026-11|exp|cur2"]
    assert "no new bill delivery" in _evaluate(resource, first.cursor).skip_message

    write_cur2_delivery(landing, "2026-10", "exec-2", [[cur2_row("1.25")]], "20261105T010000Z")
    second = _evaluate(resource, first.cursor)
    [request] = second.run_requests
    # October's days from start_date (Oct 5) to the month's end: one single-run backfill
    assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-10-05", "2026-10-31")
    assert request.tags[DELIVERY_TAG] == "cur 2026-10 exec-2"
    assert request.partition_key is None and request.run_key.startswith("cur|2026-10|exp|cur2|fp:")
    assert json.loads(second.cursor)["cur|2026-11|exp|cur2"] == json.loads(first.cursor)["cur|2026-11|exp|cur2"]
    assert not _evaluate(resource, second.cursor).run_requests  # seen: not launched again

    # the same manifest with its data file rewritten in place (an overwrite-mode export) is a new delivery too
    [data] = sorted((landing / "data" / "BILLING_PERIOD=2026-11").rglob("*.parquet"))
    data.write_bytes(data.read_bytes() + b"\0")
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 10**9))
    [rewritten] = _evaluate(resource, second.cursor).run_requests
    assert (rewritten.tags[RANGE_START_TAG], rewritten.tags[RANGE_END_TAG]) == ("2026-11-01", "2026-11-30")
    assert not (tmp_path / "warehouse").exists(), "the sensor reads the landing zone only"


def test_a_broken_manifest_launches_nothing_until_it_is_fixed(tmp_path):
    landing = tmp_path / "landing" / "cur"
    write_cur2_delivery(landing, "2026-10", "exec-1", [[cur2_row("1.50")]], "20261101T010000Z")
    resource = _company(tmp_path)
    cursor = _evaluate(resource, None).cursor

    # exec-2's manifest names a file that is not there yet (an incomplete copy)
    keys = write_cur2_delivery(landing, "2026-10", "exec-2", [[cur2_row("1.25")]], "20261105T010000Z")
    moved = landing / (keys[0] + ".partial")
    (landing / keys[0]).rename(moved)
    broken = _evaluate(resource, cursor)
    assert not broken.run_requests and json.loads(broken.cursor) == json.loads(cursor)

    moved.rename(landing / keys[0])
    [request] = _evaluate(resource, broken.cursor).run_requests
    assert request.tags[DELIVERY_TAG] == "cur 2026-10 exec-2"


def test_a_period_without_a_complete_day_in_the_partitions_is_not_launched(tmp_path):
    landing = tmp_path / "landing" / "cur"
    resource = _company(tmp_path)
    cursor = _evaluate(resource, None).cursor  # no delivery at all yet
    assert json.loads(cursor) == {}
    write_cur2_delivery(landing, "2026-09", "exec-1", [[cur2_row("3.00", "2026-09-10T00:00:00")]], "20261001T0100Z")
    skipped = _evaluate(resource, cursor)  # September ends before start_date (Oct 5)
    assert not skipped.run_requests and "cur|2026-09|exp|cur2 (no complete day" in skipped.skip_message
    assert period_days("2026-02", date(2026, 1, 1), date(2026, 12, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_days("2028-02", date(2026, 1, 1), date(2099, 1, 1)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert period_days("2026-12", date(2026, 1, 1), date(2026, 12, 1)) == (date(2026, 12, 1), date(2026, 12, 1))


def test_schedule_config_sets_the_cron_and_the_sensor_interval(tmp_path):
    resource = _company(tmp_path, "schedule: {cron: '30 7 * * *', bill_sensor_seconds: 120}\n")
    d = build_definitions(resource)
    schedule = d.resolve_schedule_def("daily_schedule")
    assert schedule.cron_schedule == "30 7 * * *" and schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    sensor = d.resolve_sensor_def(SENSOR_NAME)
    assert sensor.minimum_interval_seconds == 120 and sensor.default_status == dg.DefaultSensorStatus.RUNNING
    # a daemon-launched run is one process: its steps share the DuckDB file
    assert d.resolve_job_def("unitcost_daily").executor_def is dg.in_process_executor

    # the tick of Nov 3, 07:30 UTC materializes Nov 2
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 3, 7, 30, tzinfo=timezone.utc),
                                        repository_def=d.get_repository_def())
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-11-02" and request.run_key == "2026-11-02"

    default = build_definitions(_company(tmp_path / "default"))
    assert default.resolve_schedule_def("daily_schedule").cron_schedule == "0 6 * * *"
    assert default.resolve_sensor_def(SENSOR_NAME).minimum_interval_seconds == 900


@pytest.mark.parametrize("block, message", [
    ("schedule: {cron: 'every morning'}\n", "schedule.cron 'every morning' is not a cron expression"),
    ("schedule: {bill_sensor_seconds: 0}\n", "schedule.bill_sensor_seconds"),
    ("schedule: {crontab: '0 6 * * *'}\n", "schedule.crontab: unknown key"),
])
def test_bad_schedule_config_names_the_file_and_the_key(tmp_path, block, message):
    resource = _company(tmp_path, block)
    with pytest.raises(ConfigError, match=message) as error:
        build_definitions(UnitcostConfigResource(path=str(load_config(resource.path).path)))
    assert str(tmp_path / "unitcost.yaml") in str(error.value)


def test_instance_init_writes_the_deploy_instance_and_keeps_a_different_one(tmp_path, capsys):
    home = tmp_path / "home"
    assert main(["instance", "init", str(home), "--config", "unitcost.yaml"]) == 0
    assert (home / "dagster.yaml").read_text() == (REPO / "deploy" / "dagster.yaml").read_text()
    out = capsys.readouterr().out
    assert f"export DAGSTER_HOME={home}" in out and f"dagster-daemon run -w {REPO / 'workspace.yaml'}" in out
    assert main(["instance", "init", str(home)]) == 0  # the same file again: fine

    put(home, "dagster.yaml", "run_coordinator: {}\n")
    with pytest.raises(SystemExit, match="already exists and differs"):
        main(["instance", "init", str(home)])
    assert (home / "dagster.yaml").read_text() == "run_coordinator: {}\n"
