"""dbt's saved parse (partial_parse.msgpack) carried from one run to the next, so a run parses nothing that did not
change.

dagster-dbt gives every dbt invocation a fresh target folder, where dbt finds no saved parse and parses the whole
project (seconds). dbt reads its saved parse from --partial-parse-file-path instead, and trusts it only while the
command line's vars are the same (a change of any var re-parses everything): so the run's window and run id are not
vars on DuckDB but a control table (defs/dbt/run_window.py), and the saved parse is kept per set of vars - per
warehouse, since its path is a var - under the project's target folder. dbt writes a new one into the run's folder
only when it parsed something; that one replaces the saved one."""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from dagster_project.defs.dbt.project import dbt_executable

PARTIAL_PARSE_FILE = "partial_parse.msgpack"  # the name dbt writes in its target folder
SAVED_PARSE_FOLDER = "saved_parse"
KEEP_SAVED_PARSES = 8  # sets of vars (warehouses, configs) whose saved parse is kept; the least recently used go


def duckdb_run_vars(config_vars: dict) -> dict:
    """The vars of every `dbt build` on DuckDB: the config's, and the flag that reads the window from raw.run_window."""
    return {**config_vars, "run_window_table": True}


def saved_parse_path(target_root: Path, dbt_vars: dict, target: str | None) -> Path:
    """Where the saved parse of dbt invocations with these vars and this profile target is kept."""
    key = hashlib.sha256(json.dumps([dbt_vars, target], sort_keys=True).encode()).hexdigest()[:16]
    return target_root / SAVED_PARSE_FOLDER / f"{key}.msgpack"


def parse_args(saved: Path) -> list[str]:
    """dbt's flag reading the saved parse, when there is one (dbt refuses a path that does not exist)."""
    return ["--partial-parse-file-path", str(saved)] if saved.is_file() else []


def keep_parse(run_target: Path, saved: Path, prepared: Path) -> bool:
    """After dbt: the parse it wrote into the run's folder (if it parsed anything) becomes the saved one, replaced in
    one rename so a run starting meanwhile reads the old file or the new, never half of one. True if replaced.

    dagster-dbt copies the project's own parse (`prepared`, from `dbt parse` without the run's vars) into every run's
    folder before dbt starts; a run that parsed nothing leaves that copy there, which is not kept."""
    written = run_target / PARTIAL_PARSE_FILE
    if saved.is_file():
        os.utime(saved)  # used: the newest are kept
    if not written.is_file() or (prepared.is_file() and filecmp.cmp(written, prepared, shallow=False)):
        return False
    _save(written, saved)
    return True


def parse_ahead(project_dir: Path, target_root: Path, dbt_vars: dict, target: str | None = None) -> Callable[[], bool]:
    """Start `dbt parse` with a run's vars in the background, for a run about to start whose vars have no saved parse
    yet (a new warehouse: the demo parses while its data is generated). The returned function waits for it and keeps
    its parse as the saved one; True if it did. A failed parse keeps nothing: the run then parses itself, and says
    what is wrong with the project."""
    saved = saved_parse_path(target_root, dbt_vars, target)
    if saved.is_file():
        return lambda: False
    folder = target_root / f"parse-ahead-{os.getpid()}"
    args = [dbt_executable(), "parse", "--profiles-dir", str(project_dir),
            "--target-path", str(folder), "--log-path", str(folder / "logs"), "--vars", json.dumps(dbt_vars),
            *(["--target", target] if target else [])]
    proc = subprocess.Popen(args, cwd=project_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish() -> bool:
        try:
            written = folder / PARTIAL_PARSE_FILE
            if proc.wait() != 0 or not written.is_file():
                return False
            _save(written, saved)
            return True
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return finish


def _save(written: Path, saved: Path) -> None:
    """`written` becomes the saved parse in one rename; the least recently used beyond KEEP_SAVED_PARSES go."""
    saved.parent.mkdir(parents=True, exist_ok=True)
    partial = saved.with_suffix(f".{os.getpid()}.tmp")
    shutil.copyfile(written, partial)
    os.replace(partial, saved)
    others = sorted((p for p in saved.parent.glob("*.msgpack") if p != saved), key=lambda p: p.stat().st_mtime,
                    reverse=True)
    for old in others[KEEP_SAVED_PARSES - 1:]:  # the one just saved is kept whatever the clocks say
        old.unlink(missing_ok=True)
