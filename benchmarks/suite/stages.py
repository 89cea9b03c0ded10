"""The measurements of `benchmarks/run.py`: the floor, a backfill, a daily run, the allocation at volume, the L
backfill under a memory limit, the BigQuery path and the demo. Each returns its figures as a dict (run.py writes them)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import yaml

from suite.breakdown import attach_peaks, breakdown, control_table_window, folder_seconds, newest_target
from suite.measure import run_measured
from suite.zones import BIN, Zone

REPO = Path(__file__).resolve().parents[2]
DBT_TARGET = REPO / "dbt" / "target"
ALLOCATION_FOLDERS = ("models/intermediate/allocation", "models/intermediate/kubernetes", "models/marts/ledger")


def floor(zone: Zone, start: date, end: date, logs: Path) -> dict:
    """DuckDB alone over the landing files of start..end, in a child process (suite/floor.py)."""
    out = logs / "floor.json"
    measured = run_measured([sys.executable, str(Path(__file__).with_name("floor.py")), "--landing",
                             str(zone.path / "landing"), "--start", start.isoformat(), "--end", end.isoformat(),
                             "--out", str(out)], logs / "floor.log")
    if not measured.ok:
        raise SystemExit(f"the floor failed:\n{measured.tail()}")
    result = json.loads(out.read_text())
    result.update(wall=measured.wall_seconds, peak_rss=measured.peak_rss_bytes, start=start, end=end)
    return result


def _measured_unitcost(args: list[str], log: Path, warehouse: Path, what: str) -> tuple:
    """`unitcost <args>` run as a user runs it, measured: (measured, its breakdown, load average before and after).
    The breakdown's dbt part is the newest dbt run on `warehouse` since the command started."""
    import time

    since = time.time()
    load_before = os.getloadavg()[0]
    measured = run_measured([str(BIN / "unitcost"), *args], log, cwd=REPO)
    if not measured.ok:
        raise SystemExit(f"{what} failed (log: {log}):\n{measured.tail()}")
    parts = breakdown(measured.lines, measured.wall_seconds, newest_target(DBT_TARGET, since, str(warehouse)))
    return measured, parts, (load_before, os.getloadavg()[0])


def pipeline_run(config: Path, start: date, end: date, log: Path) -> dict:
    """`unitcost run` of start..end as a user runs it, measured; with where its time went."""
    raw = yaml.safe_load(config.read_text())
    warehouse = config.parent / raw["warehouse"]["path"]
    measured, parts, load = _measured_unitcost(
        ["run", "--config", str(config), "--start", start.isoformat(), "--end", end.isoformat()], log, warehouse,
        f"unitcost run {start}..{end}")
    attach_peaks(parts, measured.peak_between)
    parts.dbt_window = parts.dbt_window or control_table_window(warehouse)  # DuckDB: not vars but raw.run_window
    return {"start": start, "end": end, "wall": measured.wall_seconds, "peak_rss": measured.peak_rss_bytes,
            "rss_method": measured.rss_method, "load": load, "breakdown": parts, "config": config}


def daily_runs(config: Path, day: date, log_stem: Path) -> tuple[dict, dict]:
    """Two re-runs of `day` in a row, each after the disk has been flushed: the first finds the page cache as the
    stage before it left it (a backfill's reads have pushed much of the warehouse out), the second finds the
    warehouse the first one read. The machine's disk decides the gap between them."""
    runs = []
    for attempt in (1, 2):
        os.sync()  # the previous stage's writes go to disk now, not during the measured run
        runs.append(pipeline_run(config, day, day, log_stem.with_name(f"{log_stem.name}-run{attempt}.log")))
    return runs[0], runs[1]


def _serving(config: Path) -> Path:
    raw = yaml.safe_load(config.read_text())
    return config.parent / raw["warehouse"]["serving_path"]


def ledger_vs_truth(config: Path, start: date, end: date) -> dict:
    """The ledger's total per day against the generator's truth (ground_truth/daily_truth.csv): the largest
    difference, and the month's totals. Any policy keeps the day's total (docs/allocation.md, Conservation)."""
    import duckdb

    truth: dict[date, Decimal] = {}
    with (config.parent / "ground_truth" / "daily_truth.csv").open() as fh:
        for r in csv.DictReader(fh):
            day = date.fromisoformat(r["usage_date"])
            if start <= day <= end:
                truth[day] = truth.get(day, Decimal(0)) + Decimal(r["amount_usd"])
    with duckdb.connect(str(_serving(config)), read_only=True) as con:
        ledger = dict(con.execute("select usage_date, sum(amount_usd) from marts.cost_ledger "
                                  "where usage_date between ? and ? group by 1", [start, end]).fetchall())
    days = sorted(set(truth) | set(ledger))
    worst = max((abs(ledger.get(d, Decimal(0)) - truth.get(d, Decimal(0))) for d in days), default=Decimal(0))
    return {"days": len(days), "max_day_diff": worst, "ledger": sum(ledger.values(), Decimal(0)),
            "truth": sum(truth.values(), Decimal(0))}


def allocation(run: dict) -> dict:
    """The allocation at the backfill's volume: OpenCost rows and hours, the policy's moves, the models' time."""
    import duckdb

    config = run["config"]
    raw = yaml.safe_load(config.read_text())
    with duckdb.connect(str(config.parent / raw["warehouse"]["path"]), read_only=True) as con:
        rows, hours = con.execute("select count(*), count(distinct window_start) from raw.opencost_allocations "
                                  "where usage_date between ? and ?",
                                  [run["start"], run["end"]]).fetchone()
        moved = con.execute("select rule_id, count(*), sum(amount_usd) from marts.cost_ledger "
                            "where usage_date between ? and ? group by 1 order by 3 desc",
                            [run["start"], run["end"]]).fetchall()
    b = run["breakdown"]
    models = [n for n in b.dbt_nodes if n["resource_type"] == "model" and n["folder"].startswith(ALLOCATION_FOLDERS)]
    return {"opencost_rows": rows, "opencost_hours": hours, "rules": moved, "models": models,
            "seconds": folder_seconds(b, ALLOCATION_FOLDERS), "policy": raw["allocation"]}


def zone_bytes(zone: Zone) -> int:
    return sum(p.stat().st_size for p in (zone.path / "landing").rglob("*") if p.is_file())


def disk_check(work: Path, needed: int) -> tuple[bool, int]:
    free = shutil.disk_usage(work).free
    return free >= needed, free


def bigquery_bytes(zone: Zone) -> dict:
    """The BigQuery bytes estimate of a daily run on the month stage's warehouse (suite/bigquery_bytes.py), for its
    newest day (the daily stage's last run, when it ran)."""
    import duckdb

    from suite.bigquery_bytes import estimate

    config = zone.path / "bench-month.yaml"
    raw = yaml.safe_load(config.read_text())
    warehouse = config.parent / raw["warehouse"]["path"]
    if not warehouse.exists():
        raise SystemExit(f"the bq stage reads the month stage's warehouse {warehouse}: run the m stage first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        day = con.execute("select max(usage_date) from marts.cost_ledger").fetchone()[0]
    price = float((raw.get("warehouse") or {}).get("price_per_tib_usd", 6.25))
    return estimate(warehouse, day, price)


def day_range(start: date, days: int) -> tuple[date, date]:
    return start, start + timedelta(days=days - 1)


DEMO_LINE = re.compile(r"^pipeline finished in ([\d.]+)s \([\d.]+s with the generation\)")
GENERATED_LINE = re.compile(r"^generated .* in ([\d.]+)s$")


def demo_runs(work: Path, logs: Path) -> list[dict]:
    """`unitcost demo` (the S zone, README's first command) twice into one new folder: the first as after install
    (no saved dbt parse for the folder's warehouse: the demo parses while it generates), the second again. Each with the
    demo's own lines (generation, "pipeline finished in"), its wall time and peak memory, and the breakdown of its
    pipeline (the start-up part includes the generation, which the demo runs first)."""
    import time

    out = work / f"demo-{int(time.time())}"  # a new warehouse path: no saved parse is found for it
    runs = []
    try:
        for attempt in (1, 2):
            log = logs / f"demo-run{attempt}.log"
            measured, parts, load = _measured_unitcost(["demo", "--out", str(out)], log,
                                                       out / "warehouse" / "unitcost.duckdb", "unitcost demo")
            text = [line for _, line in measured.lines]
            finished = next((m for m in map(DEMO_LINE.match, text) if m), None)
            generated = next((m for m in map(GENERATED_LINE.match, text) if m), None)
            if finished is None or generated is None:
                raise SystemExit(f"unitcost demo printed no generation or 'pipeline finished' line (log: {log})")
            runs.append({"pipeline": float(finished.group(1)), "generation": float(generated.group(1)),
                         "wall": measured.wall_seconds, "peak_rss": measured.peak_rss_bytes, "load": load,
                         "breakdown": parts})
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return runs
