"""Bounded disk (docs/configuration.md, "Bounded disk"): dagster-dbt writes a target folder per run
(dbt/target/<asset>-<run>-<hash>/: manifest, run results, that run's dbt.log - about 8 MB) and never removes one;
after each dbt build all but the newest `keep_runs` are removed. The DuckDB file is checkpointed at the end of the
run, so its write-ahead log is folded in and the freed blocks are reused by the next run's writes."""

from __future__ import annotations

import shutil
from pathlib import Path

from dagster_project.lib import warehouse_session

DEFAULT_KEEP_RUNS = 10


def prune_run_folders(target_dir: Path, prefix: str, keep: int) -> list[Path]:
    """Remove all but the `keep` newest folders `target_dir`/<prefix>-*; returns what was removed. The newest are
    kept by modification time, so a run still writing its folder (the newest) is never removed."""
    folders = sorted((p for p in target_dir.glob(f"{prefix}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime,
                     reverse=True)
    removed = []
    for folder in folders[keep:]:
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def checkpoint(warehouse_path: Path) -> None:
    """Fold the DuckDB file's write-ahead log into it (nothing to do when there is no file yet)."""
    if warehouse_path.exists():
        with warehouse_session.connect(warehouse_path) as con:
            con.execute("checkpoint")
