"""`unitcost --help` answers without importing the heavy libraries (Dagster, dbt, polars, DuckDB, great-expectations):
the command line imports them only in the command that needs them."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("dagster", "dagster_dbt", "dbt", "polars", "duckdb", "great_expectations")


def test_help_imports_none_of_the_heavy_libraries():
    probe = ("import sys\nfrom dagster_project.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n"
             f"    pass\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "usage: unitcost" in out
    assert out.strip().splitlines()[-1] == "[]"
