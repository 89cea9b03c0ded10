"""The small zone the reliability tests share (one generated per module, copied per case) and what they read back:
each mart's row hash, the quarantine counts, and the conservation of every published day."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb

from synthetic import generate

D1, D2, D3 = date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)


def small_zone(root: Path, days: int = 3, **config) -> Path:
    """A generated zone (2 tenants, a fifth of the default volume) under `root`; `config` keys are appended to its
    unitcost.yaml. Returns the config path."""
    path = generate(root, D1, days, 2, seed=7, scale=0.2)
    if config:
        with path.open("a") as f:
            for key, value in config.items():
                f.write(f"{key}: {json.dumps(value)}\n")
    return path


def copy_zone(zone: Path, dest: Path) -> Path:
    """A private copy of the zone `zone` (its folder holds unitcost.yaml) without its warehouse."""
    shutil.copytree(zone.parent, dest, ignore=shutil.ignore_patterns("warehouse"))
    return dest / zone.name


def query(config: Path, sql: str, params=None, serving: bool = False) -> list[tuple]:
    name = "unitcost_serving.duckdb" if serving else "unitcost.duckdb"
    with duckdb.connect(str(config.parent / "warehouse" / name), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# marts that record the pipeline's own runs, not the company's costs: they differ by how many runs there were
RUN_HISTORY_MARTS = frozenset({"pipeline_runs"})


def mart_hashes(config: Path, schema: str = "marts") -> dict[str, tuple]:
    """Per table of `schema` (the run-history marts left out): (rows, an order-independent hash of every row). A
    float column (request volumes, never money) is rounded first: its sum depends on the order DuckDB adds it in."""
    with duckdb.connect(str(config.parent / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
        ).fetchall()]
        out = {}
        for t in (t for t in tables if t not in RUN_HISTORY_MARTS):
            columns = con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = ? "
                "and table_name = ? order by ordinal_position", [schema, t]).fetchall()
            cols = ", ".join(f'round("{c}", 6)' if typ in ("DOUBLE", "FLOAT") else f'"{c}"' for c, typ in columns)
            out[t] = con.execute(
                f"select count(*), md5(coalesce(string_agg(r::varchar, '|' order by r::varchar), '')) "
                f'from (select {cols} from {schema}."{t}") r').fetchone()
        return out


def assert_conserved(config: Path) -> None:
    """Every published day's ledger sums to its source's truth, to the nano-dollar."""
    rows = query(config, "select usage_date, source_id, diff_usd from marts.bill_reconciliation_daily")
    assert rows, "no day published"
    assert [r for r in rows if r[2] != 0] == []
