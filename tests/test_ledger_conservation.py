"""Conservation (docs/allocation.md): per day and source the ledger sums to the truth. Both guards - the dbt test
assert_ledger_conserves_truth inside `dbt build` and the Dagster check ledger_conserves_truth before the serving
copy - read the one comparison, marts.bill_reconciliation_daily, with the one tolerance (dbt var
conservation_tolerance_usd), and a ledger one cent short fails both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from test_bill_ingest import cur2_row, write_cur2_delivery
from test_bill_pipeline import query, write_config

from dagster_project.cli import run_pipeline
from dagster_project.defs.dbt.checks import broken_day_sources, conservation_tolerance

pytestmark = pytest.mark.slow

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
WINDOW = {"start_date": "2026-10-02", "end_date": "2026-10-03"}


def dbt_conservation(root: Path, tmp_path: Path) -> tuple[int, dict[str, tuple[str, int | None]]]:
    """Rebuild bill_reconciliation_daily for WINDOW and run the conservation test: (exit code, {node: (status,
    failures)})."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "PATH": f"{dbt.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    target = tmp_path / "dbt_target"
    proc = subprocess.run(
        [str(dbt), "build", "--profiles-dir", str(DBT_DIR), "--target-path", str(target),
         "--log-path", str(tmp_path / "dbt_logs"), "--vars", json.dumps({**WINDOW, "duckdb_path": str(root / "warehouse" / "unitcost.duckdb")}),
         "--select", "bill_reconciliation_daily", "assert_ledger_conserves_truth"],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=600,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    return proc.returncode, {r["unique_id"].rsplit(".", 1)[-1]: (r["status"], r["failures"]) for r in results}


def check_broken(root: Path) -> list[tuple]:
    """The rows the Dagster check ledger_conserves_truth finds for WINDOW (the function the check runs)."""
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        return broken_day_sources(con, date(2026, 10, 2), date(2026, 10, 3))


def test_a_ledger_one_cent_short_fails_the_dbt_test_and_the_dagster_check(tmp_path):
    root = tmp_path / "company"
    landing = root / "landing" / "cur"
    config = write_config(root, "{uri: landing/cur, name: cur}")
    write_cur2_delivery(landing, "2026-10", "exec-1",
                        [[cur2_row("1.50"), cur2_row("2.25", "2026-10-03T00:00:00")]], "20261004T010000Z")
    assert run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 3), raise_on_error=False).success
    assert conservation_tolerance() == Decimal("0.000001")  # dbt_project.yml's var, not a copy of it

    # as built: both guards pass
    code, nodes = dbt_conservation(root, tmp_path)
    assert code == 0 and nodes["assert_ledger_conserves_truth"] == ("pass", 0)
    assert check_broken(root) == []

    # the ledger loses one cent of Oct 3 (its only cell)
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb")) as con:
        assert con.execute("select count(*) from marts.cost_ledger where usage_date = '2026-10-03'").fetchone() == (1,)
        con.execute("update marts.cost_ledger set amount_usd = amount_usd - 0.01 where usage_date = '2026-10-03'")

    code, nodes = dbt_conservation(root, tmp_path)
    assert code != 0
    assert nodes["bill_reconciliation_daily"][0] == "success"
    assert nodes["assert_ledger_conserves_truth"] == ("fail", 1)
    assert query(root, "select usage_date, source_id, effective_cost_usd, ledger_total_usd, diff_usd "
                       "from marts.bill_reconciliation_daily where diff_usd <> 0") == [
        (date(2026, 10, 3), "cur", Decimal("2.250000000"), Decimal("2.240000000"), Decimal("-0.010000000"))]
    assert check_broken(root) == [
        (date(2026, 10, 3), "cur", Decimal("2.250000000"), Decimal("2.240000000"), Decimal("-0.010000000"))]
