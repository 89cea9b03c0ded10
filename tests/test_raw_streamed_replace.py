"""lib/warehouse.replace_days_streamed: frames of several raw tables arriving one at a time replace exactly the
run's days, in one transaction: rows of other days are not loaded, and a stream that fails midway leaves every
table as it was."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from dagster_project.lib.warehouse import replace_days, replace_days_streamed

A = {"usage_date": pl.Date, "x": pl.Int64}
B = {"usage_date": pl.Date, "name": pl.String}
D1, D2, D3 = date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)


def _a(*rows):
    return pl.DataFrame([{"usage_date": d, "x": x} for d, x in rows], schema=A)


def _b(*rows):
    return pl.DataFrame([{"usage_date": d, "name": n} for d, n in rows], schema=B)


def _rows(con, table):
    return sorted(con.execute(f"select * from raw.{table}").fetchall())


def test_frames_replace_the_days_of_each_table_and_leave_other_days(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    replace_days(con, "a", A, "usage_date", [D1, D2, D3], _a((D1, 1), (D2, 2), (D3, 3)))
    frames = [("a", _a((D1, 10), (D3, 99))), ("b", _b((D1, "n1"))), ("a", _a((D1, 11), (D2, 20)))]
    counts = replace_days_streamed(con, {"a": A, "b": B}, "usage_date", [D1, D2], iter(frames))
    assert counts == {"a": {str(D1): 2, str(D2): 1}, "b": {str(D1): 1, str(D2): 0}}
    # D3 is not the run's: its old row stays and the stream's D3 row is not loaded
    assert _rows(con, "a") == [(D1, 10), (D1, 11), (D2, 20), (D3, 3)]
    assert _rows(con, "b") == [(D1, "n1")]


def test_a_stream_failing_midway_leaves_every_table_as_it_was(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    replace_days(con, "a", A, "usage_date", [D1], _a((D1, 1)))
    replace_days(con, "b", B, "usage_date", [D1], _b((D1, "old")))

    def frames():
        yield "a", _a((D1, 10))
        raise ValueError("the second file is broken")

    with pytest.raises(ValueError, match="second file"):
        replace_days_streamed(con, {"a": A, "b": B}, "usage_date", [D1], frames())
    assert _rows(con, "a") == [(D1, 1)] and _rows(con, "b") == [(D1, "old")]
