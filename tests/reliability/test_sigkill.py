"""SIGKILL in each phase of `unitcost run` (ingest, dbt, checks, serving copy): the serving copy stays the previous
whole one, the next run completes, and its marts are exactly those of a run never killed - nothing doubled, the
earlier day unchanged, every day conserving. The runs carry AWS and Google credentials in their environment and a
persistent Dagster instance: the credentials are in no file the runs wrote (warehouse, serving copy, Dagster's
storage, dbt's artifacts).

The kill is SIGKILL to the run's process group (the CLI process and its `dbt` child), as a container stop or an
OOM kill does; killable_run.py stops the run at a known point of each phase first, so the kill lands there."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from zone import D1, D2, D3, assert_conserved, mart_hashes, query, small_zone

from dagster_project.cli import run_pipeline
from dagster_project.defs.dbt.project import dbt_project

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("killable_run.py")
PHASES = ["ingest", "dbt", "checks", "serving"]
LEDGER_D1 = "select * from marts.cost_ledger where usage_date = ? order by all"


def _serving(config: Path) -> Path:
    return config.parent / "warehouse" / "unitcost_serving.duckdb"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _in_process_run(config: Path, start, end) -> None:
    result = run_pipeline(str(config), start, end, raise_on_error=False)
    assert result.success


@pytest.fixture(scope="module")
def zones(tmp_path_factory):
    """(a zone run for D1..D2, the marts of that zone after a D2..D3 run that nobody killed)."""
    root = tmp_path_factory.mktemp("sigkill")
    zone = small_zone(root / "zone")
    _in_process_run(zone, D1, D2)
    reference = Path(shutil.copytree(zone.parent, root / "reference")) / zone.name
    _in_process_run(reference, D2, D3)
    return zone, mart_hashes(reference)


@pytest.fixture
def credentials(tmp_path):
    """AWS and Google credentials as a deployment sets them: values that must never be written anywhere."""
    key_file = tmp_path / "google-sa.json"
    key_file.write_text('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----unitcost0f3b9"}')
    return {"AWS_ACCESS_KEY_ID": "AKIAUNITCOSTKILL0F3B", "AWS_SECRET_ACCESS_KEY": "unitcost-kill-aws-secret-0f3b9",
            "AWS_SESSION_TOKEN": "unitcost-kill-aws-session-0f3b9", "GOOGLE_APPLICATION_CREDENTIALS": str(key_file),
            "CLOUDSDK_AUTH_ACCESS_TOKEN": "ya29.unitcost-kill-google-token-0f3b9"}


def _cli(args: list[str], env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, start_new_session=True, **kwargs)


def _kill_in(phase: str, config: Path, env: dict, log: Path) -> None:
    marker = log.with_suffix(".paused")
    with log.open("w") as out:
        proc = _cli([str(DRIVER), phase, str(marker), "--config", str(config), "--start", str(D2), "--end", str(D3)],
                    env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while not marker.exists():
        assert proc.poll() is None, f"the run ended before reaching {phase}:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"the run did not reach {phase}"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL


def _files_holding(paths, needles: list[bytes]) -> list[str]:
    return [str(p) for p in paths if p.is_file() and any(n in p.read_bytes() for n in needles)]


@pytest.mark.parametrize("phase", PHASES)
def test_a_run_killed_in_any_phase_leaves_the_previous_copy_and_the_next_run_completes(
        phase, zones, credentials, tmp_path):
    zone, reference = zones
    config = Path(shutil.copytree(zone.parent, tmp_path / "zone")) / zone.name
    serving_before, d1_before = _digest(_serving(config)), query(config, LEDGER_D1, [D1])
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {**os.environ, **credentials, "DAGSTER_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    started = time.time()

    _kill_in(phase, config, env, tmp_path / "killed.log")
    # readers still have the previous copy, whole
    assert _digest(_serving(config)) == serving_before
    assert query(config, "select count(*) from marts.cost_ledger", serving=True)[0][0] > 0

    with (tmp_path / "next.log").open("w") as out:
        proc = _cli(["-m", "dagster_project.cli", "run", "--config", str(config), "--start", str(D2),
                     "--end", str(D3)], env, stdout=out, stderr=subprocess.STDOUT)
    assert proc.wait(timeout=900) == 0, (tmp_path / "next.log").read_text()[-3000:]
    assert "cleared a stale run lock" in (tmp_path / "next.log").read_text()  # the killed run's

    assert mart_hashes(config) == reference  # nothing doubled, nothing missing
    assert query(config, LEDGER_D1, [D1]) == d1_before
    assert_conserved(config)
    assert query(config, "select count(*) - count(distinct event_id) from raw.llm_events") == [(0,)]
    assert query(config, "select count(*), sum(amount_usd) from marts.cost_ledger", serving=True) == query(
        config, "select count(*), sum(amount_usd) from marts.cost_ledger")
    assert sorted(p.name for p in _serving(config).parent.glob(".*.tmp*")) == []

    needles = [v.encode() for v in credentials.values()] + [b"unitcost0f3b9"]
    written = [p for p in (config.parent / "warehouse").rglob("*")] + list(home.rglob("*"))
    run_folders = [p for p in dbt_project().project_dir.joinpath("target").glob("*/**/*")
                   if p.is_file() and p.stat().st_mtime >= started]
    assert any(p.name.endswith(".db") for p in written) and run_folders  # Dagster's storage and dbt's artifacts
    assert _files_holding(written + run_folders, needles) == []
