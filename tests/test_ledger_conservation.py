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


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _outcome(result) -> tuple[dict[str, bool], set[str]]:
    """({check name: passed} of every check the run evaluated, the steps it started)."""
    checks = {e.event_specific_data.check_name: e.event_specific_data.passed
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    return checks, {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}


def test_a_cent_lost_in_a_run_stops_it_at_either_guard_and_the_serving_copy_stays(tmp_path, monkeypatch):
    """The Show of issue 12, in the pipeline: a cent lost inside the dbt build fails the dbt test (and the build); a
    cent lost after it (past the dbt test) fails the blocking Dagster check; neither run publishes, and the serving
    copy stays the previous run's, byte for byte."""
    from dagster_project.defs.dbt import assets as dbt_assets
    from dagster_project.lib import warehouse_session
    from dagster_project.lib.config import UnitcostConfig

    root = tmp_path / "company"
    config = write_config(root, "{uri: landing/cur, name: cur}")
    write_cur2_delivery(root / "landing" / "cur", "2026-10", "exec-1",
                        [[cur2_row("1.50"), cur2_row("2.25", "2026-10-03T00:00:00")]], "20261004T010000Z")
    assert run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 3), raise_on_error=False).success
    serving = root / "warehouse" / "unitcost_serving.duckdb"
    before = _digest(serving)
    oct_3 = "select diff_usd from marts.bill_reconciliation_daily where usage_date = '2026-10-03'"

    # inside the build: the drill var takes one cent off Oct 3 in cost_ledger itself
    vars_of = UnitcostConfig.dbt_vars
    monkeypatch.setattr(UnitcostConfig, "dbt_vars", lambda self: {**vars_of(self), "conservation_drill_usd": "0.01"})
    result = run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 3), raise_on_error=False)
    monkeypatch.undo()
    checks, started = _outcome(result)
    assert not result.success
    assert checks["assert_ledger_conserves_truth"] is False  # the dbt test, as Dagster shows it
    assert "ledger_conserves_truth" not in checks and "marts_copy" not in started  # nothing after the build ran
    assert query(root, oct_3) == [(Decimal("-0.010000000"),)]
    assert _digest(serving) == before

    # after the build: a cent lost once dbt's test has passed is the Dagster check's to stop
    checkpoint = dbt_assets.checkpoint

    def lose_a_cent_then_checkpoint(path):  # a writer in the run's own process: the run holds the file
        with warehouse_session.connect(path) as con:
            con.execute("update marts.cost_ledger set amount_usd = amount_usd - 0.01 where usage_date = '2026-10-03'")
            con.execute("update marts.bill_reconciliation_daily set ledger_total_usd = ledger_total_usd - 0.01, "
                        "diff_usd = diff_usd - 0.01 where usage_date = '2026-10-03'")
        checkpoint(path)

    monkeypatch.setattr(dbt_assets, "checkpoint", lose_a_cent_then_checkpoint)
    result = run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 3), raise_on_error=False)
    checks, started = _outcome(result)
    assert not result.success
    assert checks["assert_ledger_conserves_truth"] is True and checks["ledger_conserves_truth"] is False
    assert "marts_copy" not in started
    assert _digest(serving) == before
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select sum(amount_usd) from marts.cost_ledger where usage_date = '2026-10-03'"
                           ).fetchone() == (Decimal("2.250000000"),)
