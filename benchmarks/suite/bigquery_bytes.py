"""What a daily run would read on BigQuery, estimated from the DuckDB warehouse of the same data: the emulator the
tests run against reports 0 bytes processed for every job (bqemulator 1.4.0), so the bytes cannot be measured there.

BigQuery bills a query by the logical bytes of the columns it reads (STRING: 2 bytes + its UTF-8 length; INT64,
FLOAT64, DATE, TIMESTAMP: 8; BOOL: 1; NUMERIC: 16; BIGNUMERIC: 32), after pruning day partitions. Two bounds:
- the day's rows of every day-partitioned table (every column): what a run of that day reads at least, once;
- every table of the warehouse whole (every column): what a run reads if each table were scanned once in full.
A daily run's dbt models read some tables more than once and some not at all, so the true figure is near the
first for the incremental models and the second for the models rebuilt whole each run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

LAYERS = ("raw", "staging", "intermediate", "marts")
FIXED_BYTES = {"BIGINT": 8, "INTEGER": 8, "HUGEINT": 16, "DOUBLE": 8, "FLOAT": 8, "DATE": 8, "TIMESTAMP": 8,
               "TIMESTAMP WITH TIME ZONE": 8, "BOOLEAN": 1, "UBIGINT": 8, "SMALLINT": 8, "TINYINT": 8}


def _column_bytes(name: str, dtype: str) -> str:
    """SQL summing one column's BigQuery logical bytes over the selected rows."""
    quoted = '"' + name.replace('"', '""') + '"'
    if dtype.startswith("DECIMAL"):
        scale = int(dtype.rstrip(")").split(",")[-1]) if "," in dtype else 0
        return f"count({quoted}) * {32 if scale > 9 else 16}"
    if dtype in FIXED_BYTES:
        return f"count({quoted}) * {FIXED_BYTES[dtype]}"
    # text, JSON and anything nested: its text form
    return f"coalesce(sum(2 + strlen(cast({quoted} as varchar))), 0)"


def table_bytes(warehouse: Path, day: date) -> list[dict]:
    """Per table of the pipeline's layers: rows, logical bytes whole, and bytes of `day`'s rows (tables with a
    usage_date column; None for the others)."""
    import duckdb

    out = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' "
            "and table_schema in (" + ", ".join("?" for _ in LAYERS) + ") order by 1, 2", list(LAYERS)).fetchall()
        for schema, table in tables:
            columns = con.execute("select column_name, data_type from information_schema.columns "
                                  "where table_schema = ? and table_name = ? order by ordinal_position",
                                  [schema, table]).fetchall()
            total = " + ".join(_column_bytes(c, t) for c, t in columns) or "0"
            relation = f'"{schema}"."{table}"'
            rows, whole = con.execute(f"select count(*), {total} from {relation}").fetchone()
            of_day = None
            if any(c == "usage_date" for c, _ in columns):
                of_day = con.execute(f"select {total} from {relation} where usage_date = ?", [day]).fetchone()[0]
            out.append({"table": f"{schema}.{table}", "rows": rows, "bytes": int(whole or 0),
                        "day_bytes": None if of_day is None else int(of_day or 0)})
    return out


def estimate(warehouse: Path, day: date, price_per_tib: float) -> dict:
    tables = table_bytes(warehouse, day)
    day_bytes = sum(t["day_bytes"] or 0 for t in tables)
    whole = sum(t["bytes"] for t in tables)
    tib = 2 ** 40
    return {"day": day, "tables": tables, "day_bytes": day_bytes, "whole_bytes": whole,
            "partitioned": sum(1 for t in tables if t["day_bytes"] is not None),
            "day_cost": day_bytes / tib * price_per_tib, "whole_cost": whole / tib * price_per_tib,
            "price_per_tib": price_per_tib}
