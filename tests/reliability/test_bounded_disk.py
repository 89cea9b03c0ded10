"""Bounded disk (dagster_project/lib/pruning.py): dbt's per-run target folders are pruned to the newest keep_runs,
and the warehouse is checkpointed so its write-ahead log does not outlive the run."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from dagster_project.lib.config import parse_config
from dagster_project.lib.pruning import checkpoint, prune_run_folders


def test_only_the_newest_run_folders_are_kept(tmp_path):
    for i in range(6):
        folder = tmp_path / f"unitcost_dbt_models-run{i}-abc"
        folder.mkdir()
        (folder / "run_results.json").write_text("{}")
        os.utime(folder, (1_790_000_000 + i, 1_790_000_000 + i))
    (tmp_path / "manifest.json").write_text("{}")  # the project's own files are not a run's
    (tmp_path / "other_asset-run0-abc").mkdir()
    removed = prune_run_folders(tmp_path, "unitcost_dbt_models", keep=2)
    assert sorted(p.name for p in removed) == [f"unitcost_dbt_models-run{i}-abc" for i in range(4)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json", "other_asset-run0-abc", "unitcost_dbt_models-run4-abc", "unitcost_dbt_models-run5-abc"]


def test_the_checkpoint_folds_the_write_ahead_log_in(tmp_path):
    warehouse = tmp_path / "unitcost.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("pragma disable_checkpoint_on_shutdown")
    con.execute("create table t as select range as x from range(100000)")
    con.close()
    wal = Path(f"{warehouse}.wal")
    assert wal.exists() and wal.stat().st_size > 0
    checkpoint(warehouse)
    assert not wal.exists() or wal.stat().st_size == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone()[0] == 100000
    checkpoint(tmp_path / "none.duckdb")  # no warehouse yet: nothing to do
    assert not (tmp_path / "none.duckdb").exists()


def test_keep_runs_is_a_config_key(tmp_path):
    assert parse_config({"start_date": "2026-10-01"}, tmp_path, tmp_path / "u.yaml").keep_runs == 10
    assert parse_config({"start_date": "2026-10-01", "retention": {"keep_runs": 3}}, tmp_path,
                        tmp_path / "u.yaml").keep_runs == 3
