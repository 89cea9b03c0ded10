"""`dbt build` of a selection against a DuckDB file, as the dbt unit-test modules run it: the project's own
profiles, a target and log folder of the test's own, and the status of each unit test that ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"


def dbt_build_unit_tests(tmp_path: Path, warehouse: Path, select: str, dbt_vars: dict | None = None) -> dict[str, str]:
    """Build `select` into `warehouse` with `dbt_vars` (failing the test on any error) and return {unit test name:
    status}."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "PATH": f"{dbt.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [str(dbt), "build", "--profiles-dir", str(DBT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--vars", json.dumps({"duckdb_path": str(warehouse), **(dbt_vars or {})}),
         "--select", select],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
