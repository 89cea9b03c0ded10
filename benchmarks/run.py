"""One benchmark command (`make bench`): generate the landing zones, run the pipeline on them as a user would, and
rewrite BENCHMARKS.md's "Pipeline at scale" section (issue 13's goals), each figure with its date and machine.

Stages (--stages, comma-separated; default all):
  floor  DuckDB alone reading every landing file of the month once (suite/floor.py)
  m      the M month's backfill: wall time, peak memory, × floor, where the time goes, the ledger against the truth
  alloc  the allocation at the backfill's volume (hourly OpenCost, idle shared, three rules; suite/zones.py POLICY)
  daily  a daily run of the month's last day on the month's warehouse, then of day --days on the whole history
  l      the L backfill with warehouse.memory_limit set: peak memory (needs tens of GB of disk: checked first)
  bq     the bytes a daily M run reads on BigQuery, estimated from the month warehouse (the emulator bills 0)
  demo   `unitcost demo` (the S zone) twice into a new folder: the pipeline's time as the demo prints it

    .venv/bin/python benchmarks/run.py [--stages floor,m,alloc,daily,l,bq,demo] [--size M] [--days 90] [--tenants N]
                                       [--work /tmp/unitcost-bench] [--write BENCHMARKS.md] [--memory-limit 3GB]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from suite import report, stages  # noqa: E402
from suite.machine import machine_line  # noqa: E402
from suite.markdown import STAGE_ORDER, write_stages  # noqa: E402
from suite.measure import run_measured  # noqa: E402
from suite.zones import bench_config, ensure_zone, generate_args  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MONTH_DAYS = 30
HISTORY_DAYS = 90  # the daily stage's second run is on this many days of history
L_BYTES_PER_M_BYTE = 3 * 10  # L is 10 x M; landing + warehouse + serving copy ~ 3 x the landing bytes


def _parse_stages(value: str) -> list[str]:
    chosen = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in STAGE_ORDER]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown stage(s) {', '.join(unknown)} (stages: {', '.join(STAGE_ORDER)})")
    return [s for s in STAGE_ORDER if s in chosen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stages", type=_parse_stages, default=list(STAGE_ORDER))
    parser.add_argument("--size", default="M", choices=("S", "M", "L"), help="the generator size of the month zone")
    parser.add_argument("--days", type=int, default=HISTORY_DAYS,
                        help="days generated for the month zone (the month is its first 30; daily runs day N)")
    parser.add_argument("--tenants", type=int, help="override the size's tenants")
    parser.add_argument("--work", type=Path, default=Path("/tmp/unitcost-bench"), help="zones, warehouses, logs")
    parser.add_argument("--write", type=Path, default=REPO / "BENCHMARKS.md")
    parser.add_argument("--memory-limit", default="2GB", help="warehouse.memory_limit of the L stage")
    parser.add_argument("--l-days", type=int, default=MONTH_DAYS,
                        help="days of L the l stage generates and backfills (each at L's daily volume, 10 x M's); "
                             "fewer than 30 when the disk cannot hold the month")
    parser.add_argument("--l-budget-minutes", type=float, default=240.0,
                        help="skip L when 10 x this run's M backfill would take longer (it says so)")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()  # dbt's run results name the warehouse by its absolute path

    logs = args.work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    bodies: dict[str, str] = {}
    results: dict[str, dict] = {}

    def save(stage: str, body: str) -> None:
        bodies[stage] = body
        print(body, flush=True)
        write_stages(args.write, bodies)  # after every stage: a later failure keeps what was measured

    needs_zone = set(args.stages) & {"floor", "m", "alloc", "daily", "bq"}
    zone = None
    if needs_zone:
        zone = ensure_zone(args.work / f"zone-{args.size.lower()}{args.days}",
                           generate_args(args.size, args.days, args.tenants), logs / "generate.log", run_measured)
    month_days = min(MONTH_DAYS, args.days)
    if zone is not None:
        start, end = stages.day_range(zone.start(), month_days)

    if set(args.stages) & {"floor", "m"}:
        machine = machine_line()
        results["floor"] = stages.floor(zone, start, end, logs)
        save("floor", report.floor(results["floor"], zone, machine))
    month_run = None
    if set(args.stages) & {"m", "alloc", "daily"}:
        machine = machine_line()
        config = bench_config(zone, "month")
        month_run = stages.pipeline_run(config, start, end, logs / "m-backfill.log")
        month_run["truth"] = stages.ledger_vs_truth(config, start, end)
        results["m"] = {k: month_run[k] for k in ("start", "end", "wall", "peak_rss", "truth")}
        if "m" in args.stages:
            save("m", report.backfill(month_run, results["floor"], zone, machine))
        if "alloc" in args.stages:
            save("alloc", report.allocation(stages.allocation(month_run), month_run, machine))
    if "daily" in args.stages:
        machine = machine_line()
        config = month_run["config"]
        daily = [stages.daily_runs(config, end, logs / f"daily-{month_days}")]
        extended = None
        if args.days > month_days:
            last = zone.start() + timedelta(days=args.days - 1)
            extended = stages.pipeline_run(config, end + timedelta(days=1), last, logs / "history-backfill.log")
            daily.append(stages.daily_runs(config, last, logs / f"daily-{args.days}"))
        results["daily"] = [{k: r[k] for k in ("start", "end", "wall", "peak_rss")} for pair in daily for r in pair]
        save("daily", report.daily(daily, extended, month_days, args.days, zone, machine))
    if "l" in args.stages:
        machine = machine_line()
        save("l", _l_stage(args, zone, month_run, logs, machine))
    if "bq" in args.stages:
        save("bq", report.bigquery(stages.bigquery_bytes(zone), machine_line()))
    if "demo" in args.stages:
        machine = machine_line()
        save("demo", report.demo(stages.demo_runs(args.work, logs), machine))
    (logs / "results.json").write_text(json.dumps(results, indent=1, default=str))
    print(f"wrote {', '.join(bodies)} into {args.write}")
    return 0


def _l_stage(args, m_zone, month_run: dict | None, logs: Path, machine: str) -> str:
    """The L backfill with a DuckDB memory limit, when the disk holds it and it fits the time budget (else what it
    would need)."""
    part = args.l_days / MONTH_DAYS
    if m_zone is not None:
        month_bytes = stages.zone_bytes(m_zone) * min(MONTH_DAYS, args.days) // args.days
        needed = int(month_bytes * L_BYTES_PER_M_BYTE * part)
        ok, free = stages.disk_check(args.work, needed)
        minutes = 10 * part * month_run["wall"] / 60 if month_run else None
        if not ok or (minutes is not None and minutes > args.l_budget_minutes):
            return report.l_not_run(needed, free, minutes, args.l_budget_minutes, args.work, machine, args.l_days)
    zone = ensure_zone(args.work / f"zone-l{args.l_days}", generate_args("L", args.l_days, None),
                       logs / "generate-l.log", run_measured)
    config = bench_config(zone, "l", args.memory_limit)
    run = stages.pipeline_run(config, zone.start(), zone.end(), logs / "l-backfill.log")
    return report.l_backfill(run, args.memory_limit, zone, machine, args.l_days)


if __name__ == "__main__":
    sys.exit(main())
