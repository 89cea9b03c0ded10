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
from pathlib import Path

PARTIAL_PARSE_FILE = "partial_parse.msgpack"  # the name dbt writes in its target folder
SAVED_PARSE_FOLDER = "saved_parse"
KEEP_SAVED_PARSES = 8  # sets of vars (warehouses, configs) whose saved parse is kept; the least recently used go


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
    saved.parent.mkdir(parents=True, exist_ok=True)
    partial = saved.with_suffix(f".{os.getpid()}.tmp")
    shutil.copyfile(written, partial)
    os.replace(partial, saved)
    others = sorted((p for p in saved.parent.glob("*.msgpack") if p != saved), key=lambda p: p.stat().st_mtime,
                    reverse=True)
    for old in others[KEEP_SAVED_PARSES - 1:]:  # the one just saved is kept whatever the clocks say
        old.unlink(missing_ok=True)
    return True
