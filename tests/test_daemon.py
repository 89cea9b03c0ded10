"""The daily run as users run it: a real `dagster-daemon run -w workspace.yaml` on a persistent instance
(`unitcost instance init`: SQLite storage, deploy/dagster.yaml's run queue), started by the test and killed at
teardown.

One scenario, in the order a deployment meets it: a company with a bill only (one row on each of the last two
complete days), a daemon whose daily schedule is due in the next minute and whose bill-delivery sensor looks every
5 s. The schedule's tick launches yesterday's partition, which loads the bill; while it runs, the month of the
older day is restated; the sensor launches that period's days, the run queues behind the first (one run in
progress per warehouse), then succeeds, and the ledger holds the restated amounts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from test_bill_ingest import cur2_row, write_cur2_delivery

from dagster_project.cli import RANGE_END_TAG, RANGE_START_TAG, main
from dagster_project.defs.cloud_bill.sensors import DELIVERY_TAG, SENSOR_NAME
from dagster_project.defs.schedules import SCHEDULE_NAME, WAREHOUSE_TAG
from dagster_project.lib.warehouse import ensure_table
from ingest.schemas import RAW_TABLES

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SENSOR_SECONDS = 5
RUN_SECONDS = 420  # one pipeline run under the daemon, on a busy 2-core machine
FINISHED = (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def _cron_due_soon(lead_seconds: int = 60) -> tuple[str, datetime]:
    """A daily cron whose next tick is the first whole minute at least `lead_seconds` from now (time for the daemon
    to start and see the schedule), and that tick's time."""
    tick = (datetime.now(timezone.utc) + timedelta(seconds=lead_seconds + 59)).replace(second=0, microsecond=0)
    return f"{tick.minute} {tick.hour} * * *", tick


def _bill_zone(root: Path, first_day, last_day, cron: str) -> Path:
    """A bill-only company: start_date = first_day, one CUR 2.0 export with a 1.50 row on first_day and a 2.25 row
    on last_day (one delivery per billing period), the other sources' raw tables empty."""
    config = root / "unitcost.yaml"
    root.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f"start_date: {first_day.isoformat()}\ncurrency: USD\nwarehouse: {{path: warehouse/unitcost.duckdb}}\n"
        "sources:\n  cur: {uri: landing/cur, name: cur}\n"
        f"schedule: {{cron: '{cron}', bill_sensor_seconds: {SENSOR_SECONDS}}}\n"
    )
    (root / "warehouse").mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb")) as con:
        for table, schema in RAW_TABLES.items():
            ensure_table(con, table, schema)
    for period, rows in _rows_by_period([("1.50", first_day), ("2.25", last_day)]).items():
        write_cur2_delivery(root / "landing" / "cur", period, "exec-1", [rows], "20261001T010000Z")
    return config


def _rows_by_period(costs) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for cost, day, *extra in costs:
        fields = extra[0] if extra else {}
        out.setdefault(day.isoformat()[:7], []).append(cur2_row(cost, f"{day.isoformat()}T05:00:00", **fields))
    return out


def _ledger_by_day(root: Path) -> dict[str, Decimal]:
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        rows = con.execute("select usage_date, sum(amount_usd) from marts.cost_ledger group by 1 order by 1").fetchall()
    return {d.isoformat(): amount for d, amount in rows}


@pytest.fixture
def daemon(tmp_path, monkeypatch):
    """Start `dagster-daemon run` on a fresh instance for the zone the test writes; yields (start, instance, root)."""
    root, home = tmp_path / "company", tmp_path / "dagster_home"
    assert main(["instance", "init", str(home)]) == 0
    assert (home / "dagster.yaml").read_text() == (REPO / "deploy" / "dagster.yaml").read_text()
    with open(home / "dagster.yaml", "a") as f:
        f.write("telemetry:\n  enabled: false\n")  # no network here
    log = tmp_path / "daemon.log"
    started: list[subprocess.Popen] = []

    def start(config: Path) -> None:
        env = {**os.environ, "DAGSTER_HOME": str(home), "UNITCOST_CONFIG": str(config)}
        with open(log, "w") as out:
            started.append(subprocess.Popen(
                [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", str(REPO / "workspace.yaml")],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            ))

    monkeypatch.setenv("DAGSTER_HOME", str(home))  # the instance's storage is under $DAGSTER_HOME
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        yield start, instance, root, log
    finally:
        instance.dispose()
        for process in started:  # the daemon, its code server and the run workers they spawned: one group
            _stop_group(process)


def _stop_group(process: subprocess.Popen, seconds: float = 10) -> None:
    """SIGTERM to the daemon's process group, SIGKILL to what is left of it after `seconds`."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            process.poll()  # reap the daemon itself
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def _wait(what: str, seconds: float, probe, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(1)
    pytest.fail(f"{what} within {seconds:g} s; the daemon's log:\n{log.read_text()[-4000:]}")


def _state(instance: dg.DagsterInstance, name: str):
    states = [s for s in instance.all_instigator_state() if s.name == name]
    return states[0].instigator_data if states and states[0].instigator_data else None


def _sensor_cursor(instance: dg.DagsterInstance) -> str | None:
    data = _state(instance, SENSOR_NAME)
    return data.cursor if data else None


def test_daemon_schedule_and_bill_sensor_launch_queued_runs(daemon):
    start, instance, root, log = daemon
    today = datetime.now(timezone.utc).date()
    first_day, yesterday = today - timedelta(days=2), today - timedelta(days=1)
    cron, tick = _cron_due_soon()
    config = _bill_zone(root, first_day, yesterday, cron)
    start(config)

    # the sensor's first evaluation notes the deliveries already there (one per billing period) and launches nothing
    cursor = _wait("the bill sensor's first evaluation", 120, lambda: _sensor_cursor(instance), log)
    assert len(json.loads(cursor)) == len({first_day.isoformat()[:7], yesterday.isoformat()[:7]})

    # the scheduler counts ticks from when it first saw the schedule (it does not catch up on earlier ones)
    seen_at = _wait("the scheduler seeing the schedule", 60, lambda: _state(instance, SCHEDULE_NAME),
                    log).start_timestamp
    assert seen_at < tick.timestamp(), f"the daemon started after the tick it was given ({tick}): raise the lead"

    # the schedule's tick launches yesterday's partition, tagged with its warehouse
    def scheduled():
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/schedule_name": SCHEDULE_NAME}))
        return runs[0] if runs and runs[0].status in (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED) \
            else None
    wait_tick = (tick - datetime.now(timezone.utc)).total_seconds() + 60
    daily = _wait("the schedule's run starting", wait_tick, scheduled, log)
    _wait("the schedule's run loading the bill", RUN_SECONDS, lambda: any(
        e.dagster_event.step_key == "cloud_bill"
        for e in instance.all_logs(daily.run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)), log)
    assert daily.job_name == "unitcost_daily"
    assert daily.tags["dagster/partition"] == yesterday.isoformat()
    assert daily.tags[WAREHOUSE_TAG] == str(root / "warehouse" / "unitcost.duckdb")

    # once it has loaded the bill (and while dbt runs), the older day's month is restated: its row corrected to
    # 1.20 and a -0.40 credit added
    period = first_day.isoformat()[:7]
    restated = [("1.20", first_day), ("-0.40", first_day, {"line_item_line_item_type": "Credit"})]
    if yesterday.isoformat()[:7] == period:
        restated.append(("2.25", yesterday))
    write_cur2_delivery(root / "landing" / "cur", period, "exec-2", [_rows_by_period(restated)[period]],
                        "20261101T010000Z")

    # the sensor launches the period's days (from start_date, up to yesterday) as one run, queued behind the first
    def launched():
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/sensor_name": SENSOR_NAME}))
        return runs[0] if runs and runs[0].status != dg.DagsterRunStatus.NOT_STARTED else None  # submitted
    backfill = _wait("the sensor's run", 60, launched, log)
    states = {r.run_id: r.status for r in instance.get_runs()}
    assert states[daily.run_id] in (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED)
    assert states[backfill.run_id] == dg.DagsterRunStatus.QUEUED
    last = yesterday if yesterday.isoformat()[:7] == period else first_day
    assert (backfill.tags[RANGE_START_TAG], backfill.tags[RANGE_END_TAG]) == (first_day.isoformat(), last.isoformat())
    assert backfill.tags[DELIVERY_TAG] == f"cur {period} exec-2"
    assert backfill.tags[WAREHOUSE_TAG] == daily.tags[WAREHOUSE_TAG]

    def finished(run_id):
        return lambda: (run := instance.get_run_by_id(run_id)) is not None and run.status in FINISHED and run

    assert _wait("the schedule's run finishing", RUN_SECONDS, finished(daily.run_id), log).status == \
        dg.DagsterRunStatus.SUCCESS
    assert _wait("the sensor's run finishing", RUN_SECONDS, finished(backfill.run_id), log).status == \
        dg.DagsterRunStatus.SUCCESS

    # one run in progress at a time: the sensor's run started after the schedule's ended
    records = {r.dagster_run.run_id: r for r in instance.get_run_records()}
    assert records[backfill.run_id].start_time >= records[daily.run_id].end_time
    assert len(records) == 2  # the restatement launched one run; nothing else was launched
    assert _ledger_by_day(root) == {first_day.isoformat(): Decimal("0.800000000"),
                                    yesterday.isoformat(): Decimal("2.250000000")}
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        assert con.execute("select delivery_id, run_id from raw.bill_deliveries where billing_period = ?",
                           [period]).fetchall() == [("exec-2", backfill.run_id)]
