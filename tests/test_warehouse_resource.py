"""The pipeline's DuckDB resource closes its connection when a step fails while holding it: a connection left open
would keep the file open in the process with the resource's settings (its memory limit), and the next connection
with other settings (a reader's, a test's) would be refused."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.defs.resources import WarehouseResource


def test_a_failing_step_leaves_no_connection_open(tmp_path):
    path = tmp_path / "w.duckdb"
    resource = WarehouseResource(database=str(path), connection_config={"memory_limit": "1GB"})
    with pytest.raises(ValueError, match="broken file"):
        with resource.get_connection() as con:
            con.execute("create table t as select 1 as x")
            held = con
            raise ValueError("broken file")
    with pytest.raises(duckdb.ConnectionException):
        held.execute("select 1")  # closed
    with duckdb.connect(str(path)) as other:  # default settings: refused while the other connection lived
        assert other.execute("select x from t").fetchall() == [(1,)]
