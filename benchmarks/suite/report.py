"""Each stage's figures as its BENCHMARKS.md subsection: a heading, the date and machine, a table, the goal."""

from __future__ import annotations

from suite.breakdown import summary_rows
from suite.markdown import table

GIB4 = 4 * 2**30
FLOOR_FACTOR_GOAL = 3.0
DAILY_GOAL_SECONDS = 30.0
FLAT_TOLERANCE = 0.20


def secs(s: float) -> str:
    return f"{s:,.1f} s"


def mib(b: int) -> str:
    return f"{b / 2**20:,.0f} MiB"


def mb(b: int) -> str:
    return f"{b / 1e6:,.1f} MB"


def met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def _zone_line(zone) -> str:
    made = (f"generated in this run in {secs(zone.generated_seconds)}" if zone.generated_seconds is not None
            else "reused from an earlier run of this script (same arguments)")
    return f"Landing zone: `unitcost generate {' '.join(zone.args)}` ({made})."


def floor(result: dict, zone, machine: str) -> str:
    rows = [[f"`{g['shape']}`", f"{g['files']:,}", mb(g['bytes']), f"{g['rows']:,}", secs(g['seconds'])]
            for g in sorted(result["groups"], key=lambda g: -g["seconds"])]
    total_bytes = sum(g["bytes"] for g in result["groups"])
    rows.append(["**all landing files of the month**", f"{sum(g['files'] for g in result['groups']):,}",
                 mb(total_bytes), "", f"**{secs(result['seconds'])}**"])
    return "\n".join([
        f"### The floor: DuckDB alone over the month's landing files ({result['start']} .. {result['end']})",
        f"Measured {machine}.", _zone_line(zone),
        "Each kind of file is read once by one query, `select count(*), sum(hash(columns(*))) from read_…(files)` "
        "(read_parquet; read_json_auto with `map_inference_threshold = 20`, as OpenCost keys its objects by name; "
        "read_csv), in a fresh process; the time is the queries' sum (the process took "
        f"{secs(result['wall'])} with Python and DuckDB starting, peak {mib(result['peak_rss'])}). Rows of a JSON "
        "document are its top-level objects.", "",
        table(["files (digits as N)", "files", "size", "rows", "time"], rows, {1, 2, 3, 4})])


def backfill(run: dict, fl: dict, zone, machine: str) -> str:
    ratio = run["wall"] / fl["seconds"] if fl["seconds"] else float("nan")
    t = run["truth"]
    rows = [[what, secs(s), f"{100 * s / run['wall']:.0f} %"] for what, s in summary_rows(run["breakdown"])]
    ok_ratio, ok_rss = ratio <= FLOOR_FACTOR_GOAL, run["peak_rss"] < GIB4
    return "\n".join([
        f"### M: the month's backfill ({run['start']} .. {run['end']}, one `unitcost run`)",
        f"Measured {machine}.", _zone_line(zone),
        f"Config: the generated one with the benchmark's allocation policy (idle shared, three rules; the alloc "
        f"stage). Peak memory: {run['rss_method']}.", "",
        table(["", "value"], [
            ["wall time, `unitcost run` start to exit", f"**{secs(run['wall'])}**"],
            ["the floor (same run)", secs(fl["seconds"])],
            ["× floor", f"**{ratio:.1f} ×**"],
            ["peak memory (process tree)", f"**{mib(run['peak_rss'])}**"],
            [f"ledger vs the generator's truth, {t['days']} days: largest daily difference",
             f"{t['max_day_diff']:.9f} USD"],
            ["ledger total / truth total", f"{t['ledger']:,.2f} / {t['truth']:,.2f} USD"],
        ], {1}), "",
        f"Goals: M backfill ≤ {FLOOR_FACTOR_GOAL:g} × floor — {met(ok_ratio)} ({ratio:.1f} ×); peak memory < 4 GiB — "
        f"{met(ok_rss)} ({mib(run['peak_rss'])}).", "",
        "Where the time goes (the step lines of `unitcost run`, timed as they arrived; dbt from the run's "
        "`run_results.json`; the dbt models' times are inside the dbt step's):", "",
        table(["part", "time", "of wall"], rows, {1, 2})])


def allocation(a: dict, run: dict, machine: str) -> str:
    rules = [[f"`{rid}`", f"{n:,}", f"{amount:,.2f}"] for rid, n, amount in a["rules"]]
    models = sorted(a["models"], key=lambda n: -n["seconds"])
    model_rows = [[f"`{n['name']}`", n["folder"].removeprefix("models/"), secs(n["seconds"])] for n in models[:10]]
    if len(models) > 10:
        model_rows.append([f"the other {len(models) - 10}", "", secs(sum(n["seconds"] for n in models[10:]))])
    rule_ids = ", ".join(f"`{r['id']}` ({r.get('method', 'proportional')}, {r.get('scope', 'all')})"
                         for r in a["policy"]["rules"])
    target = "≈ 1.5 M"
    return "\n".join([
        f"### The allocation at volume ({run['start']} .. {run['end']}, the M backfill's run)",
        f"Measured {machine}.",
        f"Policy: idle `{a['policy']['idle']}`, rules {rule_ids}, shared workloads by "
        f"`{a['policy']['shared_workloads']}`. OpenCost `/allocation` in hourly steps: **{a['opencost_rows']:,} "
        f"rows** over {a['opencost_hours']:,} hours (issue 13 asks for {target}; the number is what the zone's "
        "generator made).", "",
        f"The allocation's dbt models (intermediate/kubernetes, intermediate/allocation, marts/ledger) took "
        f"**{secs(a['seconds'])}** of the backfill's {secs(run['wall'])}; the slowest:", "",
        table(["model", "folder", "time"], model_rows, {2}), "",
        "The ledger's dollars by rule over the month (the policy at work; the ledger sums to the truth, M stage):", "",
        table(["rule_id", "ledger rows", "USD"], rules, {1, 2})])


def daily(runs: list[dict], extended: dict | None, month_days: int, days: int, machine: str) -> str:
    rows = []
    for run, history in zip(runs, (month_days, days)):
        b = run["breakdown"]
        dbt = next((s.seconds for s in b.steps if s.name.endswith("dbt_models")), 0.0)
        rows.append([f"day {history} ({run['start']}) on {history} days of history", f"**{secs(run['wall'])}**",
                     secs(b.startup or 0.0), secs(dbt), mib(run["peak_rss"])])
    lines = [f"### Daily incremental runs (`unitcost run --start D --end D`, re-running the newest day)",
             f"Measured {machine}.",
             "Each is a second run of the warehouse's newest day, as a re-delivered day is run (its raw partitions "
             "replaced, its days rebuilt and checked). The zone holds every generated day, so a run also finds "
             "the later days' folders a real day-N run would not see yet.", "",
             table(["run", "wall time", "start-up", "dbt step", "peak memory"], rows, {1, 2, 3, 4})]
    if extended is not None:
        lines += ["", f"Between them the history was extended by a backfill of {extended['start']} .. "
                  f"{extended['end']}: {secs(extended['wall'])}, peak {mib(extended['peak_rss'])}."]
    ok_fast = all(r["wall"] < DAILY_GOAL_SECONDS for r in runs)
    goal = f"Goals: a daily run < {DAILY_GOAL_SECONDS:g} s — {met(ok_fast)}"
    if len(runs) == 2:
        growth = runs[1]["wall"] / runs[0]["wall"] - 1
        goal += (f"; day {days} within {FLAT_TOLERANCE:.0%} of day {month_days} — "
                 f"{met(abs(growth) <= FLAT_TOLERANCE)} ({growth:+.0%})")
    else:
        goal += f"; flat as history grows — not measured (only {days} days generated)"
    return "\n".join(lines + ["", goal + "."])


def l_not_run(needed: int, free: int, work, machine: str) -> str:
    return "\n".join([
        "### L: the backfill with a DuckDB memory limit", f"Checked {machine}.",
        f"**Not run**: L (10 × M) needs about {needed / 1e9:,.0f} GB under `{work}` (landing zone, warehouse and "
        f"serving copy, from the M zone's size) and {free / 1e9:,.0f} GB are free.",
        "Goal: L backfill peak memory < 4 GiB — not measured."])


def l_backfill(run: dict, limit: str, zone, machine: str) -> str:
    ok = run["peak_rss"] < GIB4
    return "\n".join([
        f"### L: the backfill with a DuckDB memory limit ({run['start']} .. {run['end']})",
        f"Measured {machine}.", _zone_line(zone), "",
        table(["", "value"], [["`warehouse.memory_limit`", limit], ["wall time", secs(run["wall"])],
                              ["peak memory (process tree)", f"**{mib(run['peak_rss'])}**"]], {1}), "",
        f"Goal: L backfill peak memory < 4 GiB — {met(ok)} ({mib(run['peak_rss'])})."])


def bigquery(result: dict, machine: str) -> str:
    head = ["### BigQuery: the bytes a daily M run processes", f"Checked {machine}."]
    if not result["loads"]:
        return "\n".join(head + [
            "**Not available**: `unitcost run` cannot run on `warehouse.engine: bigquery` yet; loading the "
            f"definitions with such a config fails with: `{result['reason']}`", "",
            "No bytes figure is given until the pipeline runs there (the emulator path: tests/bigquery_emulator.py)."])
    return "\n".join(head + [
        "**Not measured**: the definitions load with a BigQuery config, but this script does not yet run the daily "
        "M run on the emulator and read its jobs' `total_bytes_processed`."])
