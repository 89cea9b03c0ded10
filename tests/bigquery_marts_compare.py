"""The marts of a DuckDB run and of a BigQuery run side by side (tests/test_bigquery_demo.py): per mart its row
count and, per usage day (the mart's first DATE column; the whole mart when it has none), the sum of every DECIMAL
column. Sums travel as text (the decimal's exact digits, never a float) and are compared as Decimals, so 10.000000000
(DuckDB's text) equals 10 (BigQuery's)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

# marts that describe the run rather than the data: pipeline_runs records each run's own engine, time and bytes
RUN_MARTS = ("pipeline_runs",)


def duckdb_marts(warehouse: Path) -> dict[str, tuple[str | None, list[str]]]:
    """{mart: (its day column or None, its DECIMAL columns)} of the DuckDB run's marts schema."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select table_name, column_name, data_type from information_schema.columns "
                           "where table_schema = 'marts' order by table_name, ordinal_position").fetchall()
    out: dict[str, tuple[str | None, list[str]]] = {}
    for table, column, dtype in rows:
        if table in RUN_MARTS:
            continue
        day, money = out.get(table, (None, []))
        if dtype == "DATE" and day is None:
            day = column
        if dtype.startswith("DECIMAL"):
            money = [*money, column]
        out[table] = (day, money)
    return out


def _summary_sql(table: str, day: str | None, money: list[str], to_text: str) -> str:
    sums = "".join(f", {to_text.format(f'sum({c})')}" for c in money)
    if day is None:
        return f"select cast(null as date), count(*){sums} from {table}"
    return f"select {day}, count(*){sums} from {table} group by {day}"


def _as_decimals(rows: list[tuple]) -> dict:
    return {row[0]: (row[1], *[None if v is None else Decimal(v) for v in row[2:]]) for row in rows}


def duckdb_summary(warehouse: Path, marts: dict) -> dict[str, dict]:
    """{mart: {day: (rows, Σ money column...)}} of the DuckDB run."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: _as_decimals(con.execute(_summary_sql(f"marts.{name}", day, money, "cast({} as varchar)"))
                                   .fetchall()) for name, (day, money) in marts.items()}


def bigquery_summary(client, dataset: str, marts: dict) -> dict[str, dict]:
    """The same of the BigQuery run's `dataset` (project.dataset of the readers' marts)."""
    out = {}
    for name, (day, money) in marts.items():
        rows = client.query(_summary_sql(f"`{dataset}.{name}`", day, money, "cast({} as string)")).result()
        out[name] = _as_decimals([tuple(r.values()) for r in rows])
    return out
