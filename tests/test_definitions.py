"""The Dagster code location loads and validates, and its shape is what the docs promise."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_dg_check_defs_passes():
    env = {**os.environ, "UNITCOST_CONFIG": str(REPO / "unitcost.example.yaml")}
    dg = Path(sys.executable).with_name("dg")
    proc = subprocess.run([str(dg), "check", "defs"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_asset_graph_jobs_and_schedule(monkeypatch):
    monkeypatch.setenv("UNITCOST_CONFIG", str(REPO / "unitcost.example.yaml"))
    from dagster_project.definitions import defs

    d = defs()
    keys = {k.to_user_string() for k in d.resolve_asset_graph().get_all_asset_keys()}
    for key in ["raw/cur_line_items", "raw/opencost_allocations", "raw/k8s_objects", "raw/llm_events", "raw/llm_price_snapshot",
                "raw/request_counts", "raw/tenants", "marts/cost_ledger", "marts/allocation_breakdown",
                "serving/marts_copy"]:
        assert key in keys
    job = d.resolve_job_def("unitcost_daily")
    assert job.partitions_def is not None
    schedule = d.resolve_schedule_def("daily_schedule")
    assert schedule.cron_schedule == "0 6 * * *"
    checks = {k.name for k in d.resolve_asset_graph().asset_check_keys}
    assert "ledger_conserves_truth" in checks
