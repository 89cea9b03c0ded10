"""`unitcost demo` has dbt parse the project with the run's vars while the data is generated
(defs/dbt/saved_parse.py parse_ahead), so the run's `dbt build` finds a saved parse for a warehouse it never ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from dagster_project import cli
from dagster_project.defs.dbt import saved_parse
from dagster_project.defs.dbt.assets import _build_args
from dagster_project.defs.resources import UnitcostConfigResource

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"


def _dbt_parse(tmp_path: Path, name: str, dbt_vars: dict, saved: Path) -> str:
    """`dbt parse` reading the saved parse, as a run's dbt build does; its debug log."""
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [str(dbt), "--debug", "parse", "--profiles-dir", str(DBT_DIR), "--target-path", str(tmp_path / name),
         "--log-path", str(tmp_path / name / "logs"), "--vars", json.dumps(dbt_vars),
         *saved_parse.parse_args(saved)],
        cwd=DBT_DIR, env={**os.environ, "PATH": f"{dbt.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    return proc.stdout


def test_a_run_with_the_vars_parsed_ahead_parses_nothing_and_other_vars_parse_everything(tmp_path):
    target_root = tmp_path / "target"
    dbt_vars = saved_parse.duckdb_run_vars({"duckdb_path": str(tmp_path / "w.duckdb")})
    finish = saved_parse.parse_ahead(DBT_DIR, target_root, dbt_vars)
    assert finish() is True
    saved = saved_parse.saved_parse_path(target_root, dbt_vars, None)
    assert saved.is_file()
    assert [p.name for p in target_root.iterdir()] == [saved_parse.SAVED_PARSE_FOLDER]  # its own folder is gone
    same = _dbt_parse(tmp_path, "same", dbt_vars, saved)
    assert "no changes found, skipping parsing" in same
    other = _dbt_parse(tmp_path, "other", {**dbt_vars, "duckdb_path": str(tmp_path / "x.duckdb")}, saved)
    assert "no changes found, skipping parsing" not in other
    assert "Unable to do partial parsing" in other


def test_vars_with_a_saved_parse_start_no_dbt_and_a_failed_parse_keeps_nothing(tmp_path, monkeypatch):
    target_root = tmp_path / "target"
    dbt_vars = {"duckdb_path": "/a", "run_window_table": True}
    saved = saved_parse.saved_parse_path(target_root, dbt_vars, None)
    saved.parent.mkdir(parents=True)
    saved.write_bytes(b"kept")
    started = []
    monkeypatch.setattr(saved_parse.subprocess, "Popen", lambda *a, **k: started.append(a))
    assert saved_parse.parse_ahead(DBT_DIR, target_root, dbt_vars)() is False
    assert started == [] and saved.read_bytes() == b"kept"
    monkeypatch.undo()
    not_a_project = tmp_path / "empty"
    not_a_project.mkdir()
    other = {**dbt_vars, "duckdb_path": "/b"}
    assert saved_parse.parse_ahead(not_a_project, target_root, other)() is False
    assert not saved_parse.saved_parse_path(target_root, other, None).exists()
    assert sorted(p.name for p in target_root.iterdir()) == [saved_parse.SAVED_PARSE_FOLDER]


def test_the_demo_parses_ahead_with_the_vars_its_run_gives_dbt(tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(saved_parse, "parse_ahead", lambda project, root, dbt_vars: asked.append(dbt_vars))
    args = SimpleNamespace(start=date(2026, 10, 1), seed=7)
    cli._parse_ahead(tmp_path / "demo", args)
    config = UnitcostConfigResource.find(str(tmp_path / "demo" / "unitcost.yaml")).config
    config.warehouse_path.parent.mkdir(parents=True)  # the run's first step makes it
    build = _build_args(SimpleNamespace(run=SimpleNamespace(run_id="r1")), SimpleNamespace(target=None), config,
                        {"start_date": "2026-10-01", "end_date": "2026-10-14"})[0]
    assert asked == [json.loads(build[build.index("--vars") + 1])]
    assert asked[0]["duckdb_path"] == str(config.warehouse_path)


def test_a_failed_generation_waits_for_the_parse_and_leaves_no_parse_folder(tmp_path, monkeypatch):
    target_root = tmp_path / "target"
    monkeypatch.setattr(cli, "_parse_ahead", lambda out, args: saved_parse.parse_ahead(
        DBT_DIR, target_root, {"duckdb_path": str(tmp_path / "w.duckdb"), "run_window_table": True}))
    started, popen = [], subprocess.Popen
    monkeypatch.setattr(saved_parse.subprocess, "Popen", lambda *a, **k: started.append(popen(*a, **k)) or started[-1])

    def broken(args):
        raise OSError("disk full")

    monkeypatch.setattr(cli, "_generate", broken)
    try:
        cli.main(["demo", "--out", str(tmp_path / "demo")])
    except OSError as exc:
        assert str(exc) == "disk full"
    else:
        raise AssertionError("the generation's error was not raised")
    assert len(started) == 1 and started[0].returncode == 0  # waited for, not left running
    assert [p.name for p in target_root.iterdir()] == [saved_parse.SAVED_PARSE_FOLDER]  # kept, and its folder gone
