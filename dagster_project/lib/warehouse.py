"""Writing raw partitions into the warehouse: replace, never append, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from dagster_project.lib.run_steps import count_rows

RAW_SCHEMA = "raw"
ROW_GROUP = 122_880  # DuckDB's row group size
FLUSH_ROWS = 4 * ROW_GROUP  # rows per INSERT of a stream: enough for DuckDB to write them out, few enough to hold


def ensure_table(con: duckdb.DuckDBPyConnection, table: str, schema: Mapping[str, pl.DataType]) -> None:
    """Create raw.<table> with the contract's columns if it does not exist yet."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.register("_unitcost_empty", pl.DataFrame(schema=dict(schema)).to_arrow())
    try:
        con.execute(f"create table if not exists {RAW_SCHEMA}.{table} as select * from _unitcost_empty limit 0")
        # a warehouse made by an older unitcost gains the contract's new columns (as nulls for old rows)
        have = {r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [RAW_SCHEMA, table]).fetchall()}
        missing = [c for c in schema if c not in have]
        if missing:
            types = {name: typ for name, typ, *_ in con.execute("describe select * from _unitcost_empty").fetchall()}
            for column in missing:
                con.execute(f'alter table {RAW_SCHEMA}.{table} add column "{column}" {types[column]}')
    finally:
        con.unregister("_unitcost_empty")


def replace_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    schema: Mapping[str, pl.DataType],
    where: Mapping[str, Any],
    frames: list[pl.DataFrame] | pl.DataFrame,
) -> int:
    """Delete the rows matching `where` (column = value, values bound as parameters) and insert `frames`,
    atomically: a failure leaves the previous rows in place. Returns the number of rows inserted."""
    if isinstance(frames, pl.DataFrame):
        frames = [frames]
    ensure_table(con, table, schema)
    cols = list(schema)
    for name in where:
        if name not in cols:
            raise KeyError(f"raw.{table} has no column {name!r}")
    clause = " and ".join(f"{name} = ?" for name in where) or "true"
    inserted = 0
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {RAW_SCHEMA}.{table} where {clause}", list(where.values()))
        for frame in frames:
            if frame.height == 0:
                continue
            _insert(con, table, frame.select(cols))
            inserted += frame.height
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    count_rows(inserted)
    return inserted


def replace_days(
    con: duckdb.DuckDBPyConnection,
    table: str,
    schema: Mapping[str, pl.DataType],
    day_column: str,
    days: list,
    frame: pl.DataFrame,
) -> dict:
    """Replace each day's partition of raw.<table> with that day's rows of `frame`, all days in one transaction."""
    ensure_table(con, table, schema)
    cols = list(schema)
    counts = {}
    con.execute("begin transaction")
    try:
        for day in days:
            con.execute(f"delete from {RAW_SCHEMA}.{table} where {day_column} = ?", [day])
            part = frame.filter(pl.col(day_column) == day)
            if part.height:
                _insert(con, table, part.select(cols))
            counts[str(day)] = part.height
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    count_rows(sum(counts.values()))
    return counts


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("_unitcost_batch", frame.to_arrow())
    try:
        con.execute(f"insert into {RAW_SCHEMA}.{table} by name select * from _unitcost_batch")
    finally:
        con.unregister("_unitcost_batch")


def insert_frames(con: duckdb.DuckDBPyConnection, table: str, frames: list[pl.DataFrame]) -> None:
    """One INSERT of `frames` into raw.<table>, through a reader over their record batches. DuckDB writes an insert
    of several row groups straight to the database file, before the commit; smaller inserts wait in memory for the
    commit, and a registered Arrow Table stays referenced (in memory) until the commit: a stream written in small
    inserts inside one transaction would be held whole in memory."""
    tables = [frame.to_arrow() for frame in frames]
    batches = [b for t in tables for b in t.to_batches(max_chunksize=ROW_GROUP)]
    reader = pa.RecordBatchReader.from_batches(tables[0].schema, batches)
    del tables, batches
    con.register("_unitcost_stream_batch", reader)
    try:
        con.execute(f"insert into {RAW_SCHEMA}.{table} by name select * from _unitcost_stream_batch")
    finally:
        con.unregister("_unitcost_stream_batch")


def replace_days_streamed(
    con: duckdb.DuckDBPyConnection,
    schemas: Mapping[str, Mapping[str, pl.DataType]],
    day_column: str,
    days: list,
    frames: Iterable[tuple[str, pl.DataFrame]],
) -> dict[str, dict[str, int]]:
    """`replace_days` for several raw tables whose rows arrive as a stream of (table, frame), e.g. one parsed file
    at a time: every day of every table is emptied, then each frame's rows of those days are inserted as it comes,
    all in one transaction, in inserts of FLUSH_ROWS rows (insert_frames): memory holds one insert's rows, not the
    stream. Returns {table: {day: rows}}; rows of other days are not loaded."""
    for table, schema in schemas.items():
        ensure_table(con, table, schema)
    counts = {table: {str(day): 0 for day in days} for table in schemas}
    con.execute("begin transaction")
    try:
        for table in schemas:
            for day in days:
                con.execute(f"delete from {RAW_SCHEMA}.{table} where {day_column} = ?", [day])
        pending: dict[str, list[pl.DataFrame]] = {table: [] for table in schemas}
        for table, frame in frames:
            part = frame.filter(pl.col(day_column).is_in(days))
            if not part.height:
                continue
            pending[table].append(part.select(list(schemas[table])))
            for day, n in part.group_by(day_column).len().iter_rows():
                counts[table][str(day)] += n
            if sum(f.height for f in pending[table]) >= FLUSH_ROWS:
                insert_frames(con, table, pending[table])
                pending[table] = []
        for table, waiting in pending.items():
            if waiting:
                insert_frames(con, table, waiting)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    count_rows(sum(sum(c.values()) for c in counts.values()))
    return counts
