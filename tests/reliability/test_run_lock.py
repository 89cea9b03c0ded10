"""One run at a time per warehouse (dagster_project/lib/run_lock.py): a second run refuses at once naming the holder,
or waits a bounded time; a lock left by a killed run is cleared; the daemon's queue keys on the warehouse tag."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from dagster_project.cli import main
from dagster_project.definitions import build_definitions
from dagster_project.defs.resources import UnitcostConfigResource
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
