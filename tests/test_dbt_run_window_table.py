"""A DuckDB run hands dbt its window and run id through the control table raw.run_window, so dbt's vars - and with
them its saved parse - are the same from run to run (defs/dbt/run_window.py, saved_parse.py; dbt/macros/
partition_window.sql), and every data test on a day-keyed relation reads only the window's days
(dbt/macros/data_test_window.sql)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import duckdb

from dagster_project.defs.dbt import saved_parse
from dagster_project.defs.dbt.assets import _build_args
from dagster_project.defs.dbt.run_window import write_run_window
from dagster_project.lib.config import parse_config

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
WINDOW = {"start_date": "2026-01-03", "end_date": "2026-01-04"}


def _config(tmp_path: Path):
    return parse_config({"start_date": "2026-01-01", "warehouse": {"path": "w.duckdb"}}, tmp_path,
                        tmp_path / "unitcost.yaml")


def _dbt(tmp_path: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(dbt), *args, "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
         "--vars", json.dumps({"duckdb_path": str(warehouse), "run_window_table": True})],
        cwd=DBT_DIR, env={**os.environ, "PATH": f"{dbt.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True, text=True, timeout=600,
    )


def test_the_models_read_the_window_and_run_id_from_the_control_table(tmp_path):
    config = _config(tmp_path)
    write_run_window(config, WINDOW, "run-o'k")
    proc = _dbt(tmp_path, config.warehouse_path, "compile", "--output", "json", "--quiet", "--inline",
                "select {{ in_run_window('usage_date', days_after=7) }} as w, {{ sql_string(current_run_id()) }} as r")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    sql = " ".join(json.loads(proc.stdout[proc.stdout.index("{"):])["compiled"].split())
    # the table's days as literals (DuckDB prunes on them), widened by 7 days after; the run id quoted
    assert sql == ("select usage_date between cast('2026-01-03' as date) and (cast('2026-01-04' as date) + "
                   "cast(7 as bigint) * interval 1 day) as w, 'run-o''k' as r")


def test_a_control_table_without_the_runs_one_row_is_an_error_naming_it(tmp_path):
    config = _config(tmp_path)
    write_run_window(config, WINDOW, "run-a")
    with duckdb.connect(str(config.warehouse_path)) as con:
        con.execute("delete from raw.run_window")
    proc = _dbt(tmp_path, config.warehouse_path, "compile", "--inline", "select {{ in_run_window('usage_date') }}")
    assert proc.returncode != 0
    assert "raw.run_window holds 0 rows, not the run's one" in proc.stdout


def test_data_tests_on_day_keyed_relations_read_the_window_only(tmp_path):
    config = _config(tmp_path)
    write_run_window(config, WINDOW, "run-a")
    tests = ["not_null_cost_ledger", "unique_combination_of_columns_cost_anomalies_usage_date__scope_type"
             "__scope_id", "relationships_cost_anomalies_scope_id__tenant_id__ref_dim_tenant_",
             "unique_stg_llm__events_event_id", "not_null_stg_llm__events"]
    proc = _dbt(tmp_path, config.warehouse_path, "compile", "--select", *tests)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    compiled = {n["name"]: " ".join(n["compiled_code"].split()) for n in manifest["nodes"].values()
                if n["name"] in tests and n.get("compiled_code")}
    assert set(compiled) == set(tests)
    window = "usage_date between cast('2026-01-03' as date) and cast('2026-01-04' as date)"
    assert f"where ({window})" in compiled["not_null_cost_ledger"]
    assert f"where ({window})" in compiled["not_null_stg_llm__events"]
    # cost_anomalies rebuilds 7 days after the window (its trailing week): its tests read them too
    anomalies_window = ("usage_date between cast('2026-01-03' as date) and (cast('2026-01-04' as date) + "
                        "cast(7 as bigint) * interval 1 day)")
    assert f"where ({anomalies_window})" in compiled[tests[1]]
    # a test's own `where` is kept, and the window added
    assert (f"where (scope_type = 'tenant') and ({anomalies_window})"
            in compiled["relationships_cost_anomalies_scope_id__tenant_id__ref_dim_tenant_"])
    # an event id must be unique across every day: every day's rows whose id occurs in the window's days
    relation = '"w"."staging"."stg_llm__events"'
    assert (f"from (select * from {relation} where event_id in (select event_id from {relation} where ({window}))) "
            "dbt_subquery" in compiled["unique_stg_llm__events_event_id"])


def _compiled_test(tmp_path: Path, name: str):
    """(the config, the SQL of data test `name` compiled for WINDOW) on a warehouse in tmp_path."""
    config = _config(tmp_path)
    write_run_window(config, WINDOW, "run-a")
    proc = _dbt(tmp_path, config.warehouse_path, "compile", "--select", name)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    return config, next(n["compiled_code"] for n in manifest["nodes"].values() if n["name"] == name)


def test_an_event_id_of_the_window_repeated_on_an_earlier_day_fails_the_uniqueness_test(tmp_path):
    config, sql = _compiled_test(tmp_path, "unique_stg_llm__events_event_id")
    with duckdb.connect(str(config.warehouse_path)) as con:
        con.execute("create schema staging")
        con.execute("create table staging.stg_llm__events (event_id varchar, usage_date date)")
        con.execute("""insert into staging.stg_llm__events values
            ('late', '2026-01-01'), ('late', '2026-01-04'),  -- the window's id, already loaded on an earlier day
            ('twice', '2026-01-03'), ('twice', '2026-01-03'),  -- twice within the window
            ('old', '2026-01-01'), ('old', '2026-01-02'),  -- both before the window: the run of those days found it
            ('once', '2026-01-03'), ('later', '2026-01-05'), (null, '2026-01-03'), (null, '2026-01-04')""")
        failures = con.execute(f"select unique_field, n_records from ({sql}) order by 1").fetchall()
    assert failures == [("late", 2), ("twice", 2)]


def test_a_null_in_any_never_null_column_of_the_window_fails_the_models_not_null_test(tmp_path):
    # its columns: usage_date, tenant_id, feature_id, source_id, rule_id, amount_usd
    config, sql = _compiled_test(tmp_path, "not_null_cost_ledger")
    with duckdb.connect(str(config.warehouse_path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.cost_ledger (usage_date date, tenant_id varchar, feature_id varchar, "
                    "source_id varchar, cost_type varchar, rule_id varchar, amount_usd decimal(38, 9))")
        con.execute("""insert into marts.cost_ledger values
            ('2026-01-03', 't1', 'f1', 'cur', 'direct', 'direct', 1.5),  -- whole
            ('2026-01-03', null, 'f1', 'cur', 'direct', 'direct', 2.5),  -- no tenant
            ('2026-01-04', 't1', 'f1', 'cur', null, 'direct', null),  -- no amount (cost_type is not listed)
            ('2026-01-04', 't2', 'f2', 'cur', null, 'direct', 4.5),  -- a null in an unlisted column only
            ('2026-01-02', null, null, null, null, null, null)  -- before the window: its own run checked it""")
        failures = con.execute(f"select tenant_id, amount_usd from ({sql}) order by 2 nulls last").fetchall()
    assert [(t, None if a is None else str(a)) for t, a in failures] == [(None, "2.500000000"), ("t1", None)]


class _FakeDbt:
    target = None


def test_two_runs_start_dbt_with_the_same_vars_and_the_table_holds_the_latest_window(tmp_path):
    config = _config(tmp_path)
    calls = [_build_args(SimpleNamespace(run=SimpleNamespace(run_id=run_id)), _FakeDbt(), config, window)[0]
             for run_id, window in (("run-1", WINDOW), ("run-2", {"start_date": "2026-01-09", "end_date": "2026-01-09"}))]
    first, second = calls
    assert first == second
    dbt_vars = json.loads(first[first.index("--vars") + 1])
    assert dbt_vars["run_window_table"] is True
    assert not {"start_date", "end_date", "current_run_id"} & set(dbt_vars)
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        assert con.execute("select strftime(start_date, '%Y-%m-%d'), strftime(end_date, '%Y-%m-%d'), run_id "
                           "from raw.run_window").fetchall() == [("2026-01-09", "2026-01-09", "run-2")]


def test_the_saved_parse_is_replaced_only_by_a_new_one_and_the_least_recent_go(tmp_path):
    saved = saved_parse.saved_parse_path(tmp_path / "target", {"duckdb_path": "/a"}, None)
    assert saved != saved_parse.saved_parse_path(tmp_path / "target", {"duckdb_path": "/b"}, None)
    assert saved_parse.parse_args(saved) == []  # none yet: dbt parses everything
    prepared = tmp_path / "target" / saved_parse.PARTIAL_PARSE_FILE  # the project's own parse, without the vars
    prepared.parent.mkdir(parents=True)
    prepared.write_bytes(b"prepared")
    run = tmp_path / "run1"
    run.mkdir()
    (run / saved_parse.PARTIAL_PARSE_FILE).write_bytes(b"parse 1")
    assert saved_parse.keep_parse(run, saved, prepared)
    assert saved.read_bytes() == b"parse 1"
    assert saved_parse.parse_args(saved) == ["--partial-parse-file-path", str(saved)]
    nothing_parsed = tmp_path / "run2"
    nothing_parsed.mkdir()
    assert not saved_parse.keep_parse(nothing_parsed, saved, prepared)
    # dagster-dbt's copy of the project's parse, left in the folder of a run that parsed nothing, is not kept
    (nothing_parsed / saved_parse.PARTIAL_PARSE_FILE).write_bytes(b"prepared")
    assert not saved_parse.keep_parse(nothing_parsed, saved, prepared)
    assert saved.read_bytes() == b"parse 1"
    for i in range(saved_parse.KEEP_SAVED_PARSES + 2):
        other = saved_parse.saved_parse_path(tmp_path / "target", {"duckdb_path": f"/other{i}"}, None)
        assert saved_parse.keep_parse(run, other, prepared)
        os.utime(other, (2_000_000_000 + i, 2_000_000_000 + i))
    kept = sorted(saved.parent.glob("*.msgpack"))
    assert len(kept) == saved_parse.KEEP_SAVED_PARSES
    assert saved not in kept  # the least recently used went first


def test_the_dbt_resource_knows_dbts_version_without_starting_dbt(monkeypatch):
    from dbt.version import __version__
    from packaging import version

    from dagster_project.defs.dbt import cli_resource
    from dagster_project.defs.dbt.project import DBT_PROJECT_DIR

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"started {args}")

    monkeypatch.setattr(subprocess, "check_output", no_subprocess)
    monkeypatch.setattr("dagster_dbt.core.resource.check_output", no_subprocess)
    resource = cli_resource.UnitcostDbtCliResource(project_dir=str(DBT_PROJECT_DIR))
    assert resource._cli_version == version.parse(__version__)
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_the_conservation_check_covers_every_day_the_runs_dbt_build_rebuilt(tmp_path):
    from datetime import date

    from dagster_project.defs.dbt.checks import _rebuilt_days

    config = _config(tmp_path)
    run_days = (date(2026, 1, 9), date(2026, 1, 9))
    with duckdb.connect(str(config.warehouse_path)) as con:
        assert _rebuilt_days(con, "run-1", *run_days) == run_days  # no run wrote the table yet
    write_run_window(config, {"start_date": "2026-01-01", "end_date": "2026-01-09"}, "run-1")  # a restated month
    with duckdb.connect(str(config.warehouse_path)) as con:
        assert _rebuilt_days(con, "run-1", *run_days) == (date(2026, 1, 1), date(2026, 1, 9))
        assert _rebuilt_days(con, "run-2", *run_days) == run_days  # another run's window is not this one's
