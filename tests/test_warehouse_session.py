"""The warehouse file held open for a run (lib/warehouse_session.py): steps get cursors of the one open database, with
its settings whatever they ask; another process can open the file only while the run lets go of it (dbt's step);
and once the run ends, nothing of it stays open in the process."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from dagster_project.lib import warehouse_session

LIMIT = {"memory_limit": "1GB"}


def _other_process_reads(path) -> subprocess.CompletedProcess:
    code = f"import duckdb; print(duckdb.connect({str(path)!r}).execute('select count(*) from t').fetchone()[0])"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_while_held_every_connection_is_a_cursor_of_the_one_database_with_its_settings(tmp_path):
    path = tmp_path / "w.duckdb"
    with warehouse_session.held(path, LIMIT):
        assert warehouse_session.is_held(path)
        with warehouse_session.connect(path) as con:  # asks for no settings: DuckDB alone would refuse it
            con.execute("create table t as select 1 as x")
            assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"
        with warehouse_session.connect(path, read_only=True) as con:
            assert con.execute("select x from t").fetchall() == [(1,)]
        proc = _other_process_reads(path)
        assert proc.returncode != 0 and "lock" in proc.stderr.lower()  # the run holds the file
    assert not warehouse_session.is_held(path)
    with duckdb.connect(str(path), read_only=True) as other:  # other settings: accepted once the hold ended
        assert other.execute("select x from t").fetchall() == [(1,)]


def test_let_go_lets_another_process_open_the_file_and_takes_it_back(tmp_path):
    path = tmp_path / "w.duckdb"
    with warehouse_session.held(path, LIMIT):
        with warehouse_session.connect(path) as con:
            con.execute("create table t as select * from range(3)")
        with warehouse_session.let_go(path):
            assert not warehouse_session.is_held(path)
            proc = _other_process_reads(path)
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.strip() == "3"
        assert warehouse_session.is_held(path)
        with warehouse_session.connect(path) as con:
            assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "953.6 MiB"


def test_a_failure_inside_the_hold_still_closes_the_file(tmp_path):
    path = tmp_path / "w.duckdb"
    with pytest.raises(RuntimeError, match="step failed"):
        with warehouse_session.held(path, LIMIT):
            with warehouse_session.connect(path) as con:
                con.execute("create table t as select 1 as x")
                raise RuntimeError("step failed")
    assert not warehouse_session.is_held(path)
    assert _other_process_reads(path).stdout.strip() == "1"


def test_without_a_hold_each_connection_is_its_own_and_closed_after(tmp_path):
    path = tmp_path / "w.duckdb"
    with warehouse_session.connect(path, LIMIT) as con:
        con.execute("create table t as select 1 as x")
        opened = con
    with pytest.raises(duckdb.ConnectionException):
        opened.execute("select 1")
    assert _other_process_reads(path).stdout.strip() == "1"


def test_only_a_run_opening_the_file_waits_for_another_process_to_let_go(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen([sys.executable, "-c",
                               f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); print('open', flush=True);"
                               " time.sleep(1.5); c.close()"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(duckdb.IOException, match="(?i)lock"):  # no wait: the caller's own policy decides
            with warehouse_session.connect(path):
                pass
        with warehouse_session.connect(path, wait=True) as con:  # retried until the other process let go
            assert con.execute("select 1").fetchone() == (1,)
    finally:
        holder.wait(timeout=60)
