"""Run `dbt build` on a selection against a test warehouse and report each dbt unit test's status; dbt unit tests
read their inputs' column types from the relations, so the raw tables must exist in the warehouse first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"


def unit_test_statuses(tmp_path: Path, warehouse: Path, select: str) -> dict[str, str]:
    """{unit test name: status} of `dbt build --select <select>`; the build itself must succeed."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "PATH": f"{dbt.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [str(dbt), "build", "--profiles-dir", str(DBT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--vars", json.dumps({"duckdb_path": str(warehouse)}),
         "--select", select],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
