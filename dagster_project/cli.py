"""`unitcost` command line: generate, run, demo, check, whatif, report, instance."""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def _definitions(config: str | None, resource=None):
    """The code location built from the config `--config` names (else $UNITCOST_CONFIG, ./unitcost.yaml, default)."""
    from dagster_project.definitions import build_definitions
    from dagster_project.defs.resources import UnitcostConfigResource

    return build_definitions(resource or UnitcostConfigResource.find(config))


def run_pipeline(config: str | None, start: date, end: date, raise_on_error: bool = True, bars: bool = False):
    """Materialize every asset for the inclusive day range as one single-run backfill, in this process, holding the
    warehouse's run lock (lib/run_lock.py: RunLockedError when another run holds it). `bars`: progress bars on the
    terminal (lib/progress.py)."""
    import dagster as dg

    from dagster_project.defs.resources import UnitcostConfigResource
    from dagster_project.defs.schedules import DAILY_JOB
    from dagster_project.lib import progress
    from dagster_project.lib.instance import run_instance
    from dagster_project.lib.run_lock import run_lock

    if end < start:
        raise SystemExit(f"--end {end} is before --start {start}")
    resource = UnitcostConfigResource.find(config)
    definitions = _definitions(config, resource)
    job = definitions.resolve_job_def(DAILY_JOB).with_logger_defs({"progress": progress.step_progress_logger})
    cfg = resource.config
    with run_lock(cfg.warehouse_path, cfg.run_lock_wait_seconds, log=lambda m: print(m, file=sys.stderr)), \
            run_instance() as instance:
        if bars:
            progress.show_bars(len(job.nodes))
        try:
            return job.execute_in_process(
                run_config={"loggers": {"progress": {}}},
                instance=instance,
                tags={RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()},
                raise_on_error=raise_on_error,
            )
        finally:
            progress.hide_bars()


def _run_or_refuse(config: str | None, start: date, end: date):
    """run_pipeline for the command line: a held run lock is a plain message and exit code 1, not a traceback; after
    the run, the rows it quarantined per source and reason."""
    from dagster_project.lib.run_lock import RunLockedError

    from dagster_project.defs.resources import UnitcostConfigResource
    from dagster_project.lib.quarantine import quarantine_report

    try:
        result = run_pipeline(config, start, end, raise_on_error=False, bars=True)
    except RunLockedError as exc:
        print(f"unitcost: {exc}", file=sys.stderr)
        return None
    # what the run set aside is said, not only stored: a green run can still have quarantined rows
    print(quarantine_report(UnitcostConfigResource.find(config).config.warehouse_path, start, end))
    return result


def _generate(args) -> Path:
    from synthetic import generate

    if getattr(args, "size", None) is None:  # `unitcost demo`: the S defaults of _synthetic_args
        return generate(Path(args.out), args.start, args.days, args.tenants, args.seed, args.scale,
                        args.opencost_step)
    from synthetic.sizes import resolve

    size = resolve(args.size, args.days, args.tenants, args.scale)
    return generate(Path(args.out), args.start, size.days, size.tenants, args.seed, size.scale,
                    args.opencost_step, bulk=size.bulk)


def _parse_ahead(out: Path, args):
    """`unitcost demo`: dbt parses the project with the demo's vars while the data is generated (on the other core),
    so the run's `dbt build` starts from that saved parse instead of parsing the whole project itself; the config is
    written first, as the generator writes it (it rewrites the same file). Returns the function that waits for it."""
    from dagster_project.defs.dbt.project import DBT_PROJECT_DIR, DBT_TARGET_DIR
    from dagster_project.defs.dbt.saved_parse import duckdb_run_vars, parse_ahead
    from dagster_project.lib.config import load_config
    from synthetic.writers.config import write_config

    config = out / "unitcost.yaml"
    out.mkdir(parents=True, exist_ok=True)
    write_config(config, args.start, args.seed)
    return parse_ahead(DBT_PROJECT_DIR, DBT_TARGET_DIR, duckdb_run_vars(load_config(config).dbt_vars()))


def _summary(config: Path, start: date, end: date) -> str:
    import csv
    from decimal import Decimal

    import duckdb

    from dagster_project.lib.config import load_config

    cfg = load_config(config)
    lines = []
    with duckdb.connect(str(cfg.serving_path), read_only=True) as con:
        top = con.execute(
            """
            select l.tenant_id, coalesce(t.tenant_name, l.tenant_id), coalesce(t.plan, ''), sum(l.amount_usd)
            from marts.cost_ledger l left join marts.dim_tenant t using (tenant_id)
            where l.usage_date between ? and ?
            group by 1, 2, 3 order by 4 desc limit 10
            """,
            [start, end],
        ).fetchall()
        ledger_total = con.execute(
            "select coalesce(sum(amount_usd), 0) from marts.cost_ledger where usage_date between ? and ?",
            [start, end],
        ).fetchone()[0]
        by_type = con.execute(
            "select cost_type, sum(amount_usd) from marts.cost_ledger where usage_date between ? and ? "
            "group by 1 order by 2 desc",
            [start, end],
        ).fetchall()
    lines.append(f"Cost ledger {start} .. {end}")
    lines.append("")
    lines.append("Top tenants by cost (sentinels __idle__ / __unallocated__ included):")
    for tenant_id, name, plan, amount in top:
        lines.append(f"  {tenant_id:<16} {name[:28]:<28} {plan:<11} ${amount:>14,.2f}")
    lines.append("")
    lines.append("By cost type: " + ", ".join(f"{t} ${a:,.2f}" for t, a in by_type))
    truth_file = cfg.base_dir / "ground_truth" / "daily_truth.csv"
    if truth_file.exists():
        with truth_file.open() as fh:
            truth = sum(
                (Decimal(r["amount_usd"]) for r in csv.DictReader(fh)
                 if start.isoformat() <= r["usage_date"] <= end.isoformat()),
                Decimal(0),
            )
        lines.append(f"Truth total (generator)  ${truth:,.9f}")
    lines.append(f"Ledger total             ${ledger_total:,.9f}")
    size = cfg.serving_path.stat().st_size / 1e6
    lines.append("")
    lines.append(f"Serving DuckDB file: {cfg.serving_path} ({size:.1f} MB); pipeline file: {cfg.warehouse_path}")
    lines.append("Try (or open the file in any DuckDB client, read-only):")
    lines.append(f"  {sys.executable} -c \"import duckdb; duckdb.connect('{cfg.serving_path}', read_only=True)"
                 ".sql('select tenant_id, sum(total_cost_usd) as cost_usd from marts.tenant_daily_cost "
                 "group by 1 order by 2 desc limit 5').show()\"")
    return "\n".join(lines)


def generate_docs(config: str | None, out: Path) -> Path:
    """`dbt docs generate --static` into `out` (the catalog read from the pipeline's warehouse): out/static_index.html
    is the whole site in one file, opened from disk without a server or a network."""
    from dagster_project.defs.dbt.project import DBT_PROJECT_DIR, dbt_executable
    from dagster_project.defs.resources import UnitcostConfigResource

    dbt_vars = UnitcostConfigResource.find(config).config.dbt_vars()
    proc = subprocess.run(
        [dbt_executable(), "docs", "generate", "--static", "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(out), "--log-path", str(out / "logs"), "--vars", json.dumps(dbt_vars)],
        cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"dbt docs generate failed:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    return out / "static_index.html"


def _plan_additions(values: list[str]) -> dict[str, int]:
    added: dict[str, int] = {}
    for value in values:
        plan, sep, count = value.partition("=")
        try:
            added[plan.strip()] = added.get(plan.strip(), 0) + int(count)
        except ValueError:
            sep = ""
        if not sep or not plan.strip():
            raise SystemExit(f"--add {value!r}: expected PLAN=COUNT, e.g. --add pro=100")
    return added


def whatif(serving_path: Path, month: date, added: dict[str, int]) -> list[tuple]:
    """(plan, tenants added, monthly cost per tenant, MRR per tenant, cost, revenue, margin change) per plan: a linear
    estimate from the month's per-plan unit costs (marts.plan_unit_costs_monthly, docs/marts.md)."""
    import duckdb

    with duckdb.connect(str(serving_path), read_only=True) as con:
        found = {plan: (cost, mrr) for plan, cost, mrr in con.execute(
            "select plan, monthly_cost_per_tenant_usd, mean_mrr_per_tenant_usd from marts.plan_unit_costs_monthly "
            "where usage_month = ?", [month]).fetchall()}
        months = [m for (m,) in con.execute(
            "select distinct usage_month from marts.plan_unit_costs_monthly order by 1").fetchall()]
    if not found:
        raise SystemExit(f"--month {month:%Y-%m}: no unit costs for that month (built months: "
                         f"{', '.join(f'{m:%Y-%m}' for m in months) or 'none'})")
    missing = sorted(set(added) - set(found))
    if missing:
        raise SystemExit(f"--add {', '.join(missing)}: no active tenant of that plan in {month:%Y-%m} "
                         f"(plans: {', '.join(sorted(found))})")
    rows = []
    for plan, n in added.items():
        cost, mrr = found[plan]
        rows.append((plan, n, cost, mrr, n * cost, n * mrr, n * mrr - n * cost))
    return rows


def _whatif_report(serving_path: Path, month: date, added: dict[str, int]) -> str:
    rows = whatif(serving_path, month, added)
    lines = [f"What if, in {month:%Y-%m}: a linear estimate from that month's per-plan unit costs",
             "(marts.plan_unit_costs_monthly): each added tenant costs its plan's mean cost per tenant, scaled to a",
             "whole month, and brings its plan's mean MRR.", "",
             f"  {'plan':<12}{'tenants':>9}{'cost/tenant':>14}{'MRR/tenant':>13}{'cost':>16}{'revenue':>16}"
             f"{'margin':>16}"]
    for plan, n, cost, mrr, d_cost, d_revenue, d_margin in rows:
        lines.append(f"  {plan:<12}{n:>+9,}{cost:>14,.2f}{mrr:>13,.2f}{d_cost:>+16,.2f}{d_revenue:>+16,.2f}"
                     f"{d_margin:>+16,.2f}")
    totals = [sum(r[i] for r in rows) for i in (4, 5, 6)]
    lines.append(f"  {'total':<12}{sum(r[1] for r in rows):>+9,}{'':>27}{totals[0]:>+16,.2f}{totals[1]:>+16,.2f}"
                 f"{totals[2]:>+16,.2f}")
    lines.append("")
    cost, revenue, margin = (f"{'-' if t < 0 else '+'}${abs(t):,.2f}" for t in totals)
    lines.append(f"Projected monthly cost change {cost}, revenue change {revenue}, margin change {margin}")
    return "\n".join(lines)


def build_report(config: str | None, day: date | None = None) -> Path:
    """The daily report of the serving copy the config names, in its `report.path` (docs/report.md)."""
    from dagster_project.defs.resources import UnitcostConfigResource
    from dagster_project.report.build import build_report as build
    from dagster_project.report.data import ReportDateError

    cfg = UnitcostConfigResource.find(config).config
    try:
        return build(cfg.serving_path, cfg.report_folder, day)
    except (FileNotFoundError, ReportDateError) as exc:
        raise SystemExit(str(exc)) from None


def _synthetic_args(parser: argparse.ArgumentParser, sized: bool = False) -> None:
    """The generator's flags; `sized` (generate): days, tenants, scale and step default to the --size's."""
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 10, 1))
    parser.add_argument("--days", type=int, default=None if sized else 14)
    parser.add_argument("--tenants", type=int, default=None if sized else 50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=None if sized else 1.0,
                        help="multiplies volumes (rows, calls), not tenants")
    parser.add_argument("--opencost-step", choices=("1d", "1h"), default=None if sized else "1d",
                        help="OpenCost /allocation as one daily set or 24 hourly sets (same numbers; M/L: 1h only)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="unitcost", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a synthetic landing zone, its ground truth and a config")
    gen.add_argument("--out", required=True)
    gen.add_argument("--size", choices=("S", "M", "L"), default="S",
                     help="S = the demo, M = a month of a 500-tenant SaaS, L = 10 x M (synthetic/sizes.py); "
                          "--days/--tenants/--scale override only what they name")
    _synthetic_args(gen, sized=True)

    run = sub.add_parser("run", help="materialize every asset for the days START..END (inclusive)")
    run.add_argument("--config")
    run.add_argument("--start", type=date.fromisoformat, required=True)
    run.add_argument("--end", type=date.fromisoformat, required=True)

    demo = sub.add_parser("demo", help="synthetic data -> full pipeline on DuckDB -> a summary")
    demo.add_argument("--out", default="demo")
    _synthetic_args(demo)

    check = sub.add_parser("check", help="load and validate the Dagster definitions")
    check.add_argument("--config")

    what = sub.add_parser("whatif", help="projected monthly cost, revenue and margin of more tenants of a plan")
    what.add_argument("--config")
    what.add_argument("--month", required=True, type=lambda v: date.fromisoformat(f"{v}-01"),
                      help="YYYY-MM, a month the serving copy has unit costs for")
    what.add_argument("--add", action="append", required=True, metavar="PLAN=COUNT",
                      help="tenants added to a plan (repeatable; a negative count removes tenants)")

    report = sub.add_parser("report", help="write the daily HTML report (report.path/index.html)")
    report.add_argument("--config")
    report.add_argument("--date", type=date.fromisoformat, help="a built day (default: the latest built usage_date)")

    instance = sub.add_parser("instance", help="a persistent Dagster instance for the daily schedule and sensor")
    instance.add_argument("action", choices=["init"])
    instance.add_argument("home", help="the folder that becomes $DAGSTER_HOME")
    instance.add_argument("--config", help="the unitcost.yaml the daemon runs (printed as UNITCOST_CONFIG)")

    args = parser.parse_args(argv)
    if args.command == "instance":
        from dagster_project.lib.errors import ConfigError
        from dagster_project.lib.instance import init_instance, start_commands

        try:
            written = init_instance(Path(args.home))
        except ConfigError as exc:
            raise SystemExit(f"unitcost: {exc}") from None
        print(f"wrote {written}; start the daily run with:")
        print(start_commands(Path(args.home), args.config))
        return 0
    if args.command == "generate":
        print(_generate(args))
        return 0
    if args.command == "run":
        result = _run_or_refuse(args.config, args.start, args.end)
        return 0 if result is not None and result.success else 1
    if args.command == "whatif":
        from dagster_project.defs.resources import UnitcostConfigResource

        serving = UnitcostConfigResource.find(args.config).config.serving_path
        if not serving.exists():
            raise SystemExit(f"{serving}: no serving copy yet (run the pipeline first)")
        print(_whatif_report(serving, args.month, _plan_additions(args.add)))
        return 0
    if args.command == "report":
        print(build_report(args.config, args.date))
        return 0
    if args.command == "check":
        import dagster as dg

        dg.Definitions.validate_loadable(_definitions(args.config))
        print("definitions OK")
        return 0
    if args.command == "demo":
        from dagster_project.lib.config import load_config
        from dagster_project.report.build import REPORT_FILE

        out = Path(args.out)
        for stale in ("landing", "ground_truth", "warehouse", "dbt_docs", "report"):
            shutil.rmtree(out / stale, ignore_errors=True)
        t0 = time.monotonic()
        parsed = _parse_ahead(out, args)
        try:
            config = _generate(args)
        except BaseException:
            parsed()  # a failed generation waits for the parse too, which removes its folder
            raise
        print(f"generated {args.days} days x {args.tenants} tenants into {out}/ in {time.monotonic() - t0:.1f}s")
        t_run = time.monotonic()
        parsed()  # a wait for the parse counts in the pipeline's time
        end = args.start + timedelta(days=args.days - 1)
        result = _run_or_refuse(str(config), args.start, end)
        if result is None or not result.success:
            print("pipeline run failed", file=sys.stderr)
            return 1
        print(f"pipeline finished in {time.monotonic() - t_run:.1f}s ({time.monotonic() - t0:.1f}s with the generation)")
        docs = generate_docs(str(config), out / "dbt_docs")
        print()
        print(_summary(config, args.start, end))
        print(f"dbt docs (every mart and column described, the lineage, the exposures): open {docs} in a browser")
        # the run's report step wrote it (defs/report), for the latest built day
        report = load_config(config).report_folder / REPORT_FILE
        print(f"daily report (margins, AI cost, anomalies, budgets): open {report} in a browser")
        return 0
    return 2


def console() -> int:
    """The `unitcost` command (pyproject.toml): main, then the process ends. Its ~600 k objects (imports,
    definitions) leave the cyclic collector's reach first, so the interpreter's exit skips a last full collection
    of them (1.5 s of a daily run) and the OS frees the memory. (main itself, as tests call it, frees as usual.)"""
    status = main()
    gc.freeze()
    return status


if __name__ == "__main__":
    sys.exit(console())
