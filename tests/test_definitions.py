"""The Dagster code location loads and validates, with a config or without one, and its structure is the one
committed in tests/snapshots/definitions.txt (so that any change to the asset graph shows up in review)."""

import os
import subprocess
import sys
from pathlib import Path

from definitions_snapshot import describe_definitions

from dagster_project.definitions import build_definitions
from dagster_project.defs.resources import UnitcostConfigResource

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "unitcost.example.yaml"
SNAPSHOT = REPO / "tests" / "snapshots" / "definitions.txt"


def _without_config_env() -> dict:
    return {k: v for k, v in os.environ.items() if k != "UNITCOST_CONFIG"}


def test_dg_check_defs_passes_with_the_example_config():
    env = {**os.environ, "UNITCOST_CONFIG": str(EXAMPLE)}
    dg = Path(sys.executable).with_name("dg")
    proc = subprocess.run([str(dg), "check", "defs"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dg_check_defs_and_unitcost_check_pass_without_any_config(tmp_path):
    """A fresh clone has no unitcost.yaml: the built-in default config applies (no sources)."""
    bin_dir = Path(sys.executable).parent
    dg = subprocess.run([str(bin_dir / "dg"), "check", "defs"], cwd=REPO, env=_without_config_env(),
                        capture_output=True, text=True, timeout=300)
    assert dg.returncode == 0, dg.stdout + dg.stderr
    check = subprocess.run([str(bin_dir / "unitcost"), "check"], cwd=tmp_path, env=_without_config_env(),
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "definitions OK" in check.stdout
    assert not (tmp_path / "warehouse").exists(), "checking the definitions must not create a warehouse"


def test_asset_graph_jobs_and_schedule():
    d = build_definitions(UnitcostConfigResource(path=str(EXAMPLE)))
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


def test_partitions_start_at_the_configs_start_date(tmp_path):
    config = tmp_path / "unitcost.yaml"
    config.write_text("start_date: 2025-03-04\n")
    job = build_definitions(UnitcostConfigResource(path=str(config))).resolve_job_def("unitcost_daily")
    assert job.partitions_def.get_first_partition_key() == "2025-03-04"
    default = build_definitions(UnitcostConfigResource()).resolve_job_def("unitcost_daily")
    assert default.partitions_def.get_first_partition_key() == "2026-01-01"


def test_structure_matches_the_committed_snapshot():
    actual = describe_definitions(build_definitions(UnitcostConfigResource(path=str(EXAMPLE))))
    if os.environ.get("UNITCOST_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(actual)
    expected = SNAPSHOT.read_text()
    assert actual == expected, (
        "the asset graph, checks, jobs or schedules changed; if intended, rerun with UNITCOST_UPDATE_SNAPSHOTS=1 "
        "and commit tests/snapshots/definitions.txt"
    )
