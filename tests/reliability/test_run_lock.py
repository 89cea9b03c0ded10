"""One run at a time per warehouse (dagster_project/lib/run_lock.py): a second run refuses at once naming the holder,
or waits a bounded time; a lock left by a killed run is cleared; the daemon's queue keys on the warehouse tag; a run
started through the Dagster API takes the same lock (re-entrant in the process that holds it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from dagster_project.cli import main
from dagster_project.definitions import build_definitions
from dagster_project.defs.resources import UnitcostConfigResource, WarehouseResource
from dagster_project.defs.schedules import DAILY_JOB, WAREHOUSE_TAG
from dagster_project.lib.run_lock import RunLockedError, lock_path, run_lock

ROOT = Path(__file__).resolve().parents[2]
HOLD = "import sys, time; from pathlib import Path; from dagster_project.lib.run_lock import run_lock\n" \
       "with run_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)\n"


@pytest.fixture
def company(tmp_path) -> Path:
    config = tmp_path / "unitcost.yaml"
    config.write_text("start_date: 2026-10-01\nrun_lock: {wait_seconds: 0}\n")
    return config


@pytest.fixture
def holder(company):
    """Another process holding the company's warehouse lock."""
    warehouse = UnitcostConfigResource.find(company).config.warehouse_path
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(warehouse)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout.readline().strip() == "held"
    yield proc
    proc.kill()
    proc.wait()


def test_a_second_cli_run_refuses_at_once_naming_path_time_and_pid(company, holder, capsys):
    assert main(["run", "--config", str(company), "--start", "2026-10-01", "--end", "2026-10-01"]) == 1
    message = capsys.readouterr().err
    path = lock_path(company.parent / "warehouse" / "unitcost.duckdb")
    assert f"another unitcost run holds {path} since 20" in message and f"pid {holder.pid}" in message
    assert not (company.parent / "warehouse" / "unitcost.duckdb").exists()  # refused before the first asset


def test_a_run_waits_up_to_its_timeout(company, holder):
    warehouse = company.parent / "warehouse" / "unitcost.duckdb"
    started = time.monotonic()
    with pytest.raises(RunLockedError, match=r"\(waited 1 s\)"), run_lock(warehouse, wait_seconds=1):
        pass
    assert time.monotonic() - started >= 1
    holder.kill()
    holder.wait()
    with run_lock(warehouse, wait_seconds=5) as path:  # released when its process died
        assert json.loads(path.read_text())["pid"] > 0


def test_a_lock_left_by_a_killed_run_is_cleared(tmp_path):
    warehouse = tmp_path / "unitcost.duckdb"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    lock_path(warehouse).write_text(json.dumps({"pid": gone.pid, "since": "2026-10-02T06:00:00+00:00"}))
    said = []
    with run_lock(warehouse, log=said.append):
        assert json.loads(lock_path(warehouse).read_text())["pid"] != gone.pid
    assert said == [f"cleared a stale run lock {lock_path(warehouse)} left by pid {gone.pid} "
                    "(since 2026-10-02T06:00:00+00:00)"]
    assert lock_path(warehouse).read_text() == ""  # released cleanly: nothing for the next run to clear


def test_daemon_runs_queue_one_per_warehouse_tag(company):
    job = build_definitions(UnitcostConfigResource.find(company)).resolve_job_def(DAILY_JOB)
    assert job.tags[WAREHOUSE_TAG] == str(company.parent / "warehouse" / "unitcost.duckdb")
    coordinator = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text())["run_coordinator"]
    assert coordinator["class"] == "QueuedRunCoordinator"
    assert coordinator["config"]["tag_concurrency_limits"] == [
        {"key": WAREHOUSE_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}]


def _daily_job(company: Path):
    return build_definitions(UnitcostConfigResource.find(company)).resolve_job_def(DAILY_JOB)


def _failure_text(result) -> str:
    return "\n".join(str(e.event_specific_data) for e in result.all_events if e.is_failure)


def test_a_dagster_run_beside_a_cli_run_refuses_naming_the_holder(company, holder):
    """The daily job started through the Dagster API (as the daemon's run worker does), not the CLI: the
    warehouse resource takes the lock, so the run fails before its first asset, naming the path and the pid."""
    result = _daily_job(company).execute_in_process(partition_key="2026-10-01", raise_on_error=False)
    assert not result.success
    path = lock_path(company.parent / "warehouse" / "unitcost.duckdb")
    assert f"another unitcost run holds {path} since 20" in _failure_text(result)
    assert f"pid {holder.pid}" in _failure_text(result)
    assert not result.get_asset_materialization_events()  # no asset ran
    assert not (company.parent / "warehouse" / "unitcost.duckdb").exists()


def test_a_dagster_run_waits_run_lock_wait_seconds_then_refuses(company, holder):
    waiting = company.with_name("waiting.yaml")  # the same warehouse (warehouse/ beside the config), a 1 s wait
    waiting.write_text("start_date: 2026-10-01\nrun_lock: {wait_seconds: 1}\n")
    started = time.monotonic()
    result = _daily_job(waiting).execute_in_process(partition_key="2026-10-01", raise_on_error=False)
    assert time.monotonic() - started >= 1
    assert not result.success and "(waited 1 s)" in _failure_text(result)


@dg.asset
def _lock_probe(duckdb: WarehouseResource) -> None:
    with duckdb.get_connection() as con:
        con.execute("create table probe as select 1 as x")


def test_a_process_holding_the_lock_runs_its_own_jobs_and_keeps_the_lock(tmp_path):
    """Re-entrant, as `unitcost run` needs (it holds the lock around its execute_in_process): the run inside goes
    through, and the lock stays held by this process until the outer block ends."""
    warehouse = tmp_path / "warehouse" / "unitcost.duckdb"
    probe = [sys.executable, "-c", HOLD, str(warehouse)]
    with run_lock(warehouse) as path:
        assert dg.materialize([_lock_probe], resources={"duckdb": WarehouseResource(database=str(warehouse))}).success
        assert json.loads(path.read_text())["pid"] == os.getpid()  # the inner run did not release it
        other = subprocess.run(probe, capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert other.returncode != 0 and "another unitcost run holds" in other.stderr
    assert path.read_text() == ""  # released by the outer block
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("select x from probe").fetchall() == [(1,)]
