"""Where a `unitcost run` spends its time: start-up (spawn to the first step), each Dagster step (from the run's
step lines, lib/progress.py), dbt per model / test / seed (the run's run_results.json and manifest.json), and what is
left to Dagster between and after the steps."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

STEP_LINE = re.compile(r"^\[\s*[\d.]+s\]\s+(start|done|FAILED)\s+(\S+)")
CHECK_STEP = re.compile(r"_expectations$|_checks?$")


@dataclass
class Step:
    name: str
    start: float
    end: float | None = None
    failed: bool = False

    @property
    def seconds(self) -> float:
        return (self.end or self.start) - self.start


@dataclass
class Breakdown:
    wall: float
    startup: float | None
    steps: list[Step]
    between_steps: float  # gaps between consecutive steps
    after_last_step: float  # the last step's end to the process's exit
    dbt_nodes: list[dict] = field(default_factory=list)  # unique_id, resource_type, folder, seconds
    dbt_elapsed: float | None = None
    dbt_window: tuple[str, str] | None = None  # the days dbt rebuilt (its vars start_date, end_date)
    peaks: dict[str, int] = field(default_factory=dict)  # part (start-up, each step) -> its highest sampled RSS

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)


def parse_steps(lines: list[tuple[float, str]]) -> list[Step]:
    """Dagster steps in order, timed by when their start and done lines arrived."""
    steps: dict[str, Step] = {}
    for t, line in lines:
        m = STEP_LINE.match(line)
        if not m:
            continue
        kind, name = m.groups()
        if kind == "start":
            steps[name] = Step(name, t)
        elif name in steps:
            steps[name].end = t
            steps[name].failed = kind == "FAILED"
    return sorted(steps.values(), key=lambda s: s.start)


def _run_vars(results: dict) -> dict:
    found = (results.get("args") or {}).get("vars") or {}
    return json.loads(found) if isinstance(found, str) else found


def newest_target(target_dir: Path, since: float, warehouse: str | None = None) -> Path | None:
    """The dbt target folder of the run that started at `since` (epoch seconds): the newest run_results.json
    written since then (by a dbt run on `warehouse`, its var duckdb_path, when given: runs on other warehouses may
    share the target folder)."""
    found = []
    for path in target_dir.glob("*/run_results.json"):
        if path.stat().st_mtime < since:
            continue
        if warehouse is not None:
            try:
                if _run_vars(json.loads(path.read_text())).get("duckdb_path") != warehouse:
                    continue
            except (OSError, ValueError):
                continue
        found.append(path)
    return max(found, key=lambda p: p.stat().st_mtime).parent if found else None


def dbt_nodes(target: Path) -> tuple[list[dict], float]:
    """(node, seconds) of a dbt invocation's run_results.json, each with its folder under dbt/models."""
    results = json.loads((target / "run_results.json").read_text())
    manifest_path = target / "manifest.json"
    nodes = json.loads(manifest_path.read_text())["nodes"] if manifest_path.exists() else {}
    out = []
    for r in results["results"]:
        uid = r["unique_id"]
        node = nodes.get(uid, {})
        path = node.get("original_file_path", "")
        folder = str(Path(path).parent) if path else ""
        out.append({"unique_id": uid, "name": uid.split(".")[-1] if uid.startswith(("model", "seed")) else uid,
                    "resource_type": uid.split(".")[0], "folder": folder, "seconds": float(r["execution_time"]),
                    "status": r["status"]})
    return out, float(results.get("elapsed_time") or 0.0)


def breakdown(lines: list[tuple[float, str]], wall: float, target: Path | None) -> Breakdown:
    steps = parse_steps(lines)
    ends = [s.end for s in steps if s.end is not None]
    between = sum(max(0.0, b.start - (a.end or a.start)) for a, b in zip(steps, steps[1:]))
    result = Breakdown(wall=wall, startup=steps[0].start if steps else None, steps=steps, between_steps=between,
                       after_last_step=wall - max(ends) if ends else 0.0)
    if target is not None and (target / "run_results.json").exists():
        result.dbt_nodes, result.dbt_elapsed = dbt_nodes(target)
        dbt_vars = _run_vars(json.loads((target / "run_results.json").read_text()))
        if "start_date" in dbt_vars:
            result.dbt_window = (dbt_vars["start_date"], dbt_vars.get("end_date", ""))
    return result


def control_table_window(warehouse: Path) -> tuple[str, str] | None:
    """The days the last dbt build rebuilt, as a DuckDB run hands them to dbt: the one row of raw.run_window (not
    vars there: defs/dbt/run_window.py). None without that table."""
    import duckdb

    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            row = con.execute("select strftime(start_date, '%Y-%m-%d'), strftime(end_date, '%Y-%m-%d') "
                              "from raw.run_window").fetchone()
        except duckdb.CatalogException:
            return None
    return tuple(row) if row else None


def summary_rows(b: Breakdown, top_models: int = 12) -> list[tuple[str, float]]:
    """(what, seconds) rows, largest parts first within their kind, for the 'where the time goes' table."""
    rows: list[tuple[str, float]] = []
    if b.startup is not None:
        rows.append(("start-up: process spawn to the first Dagster step (imports, definitions, dbt manifest)",
                     b.startup))
    dbt_step = None
    for s in b.steps:
        if s.name.endswith("dbt_models"):
            dbt_step = s
            continue
        kind = "checks (great-expectations)" if CHECK_STEP.search(s.name) else "step"
        rows.append((f"{kind}: `{s.name}`{' (FAILED)' if s.failed else ''}", s.seconds))
    if dbt_step is not None:
        rows.append((f"dbt step `{dbt_step.name}` (one `dbt build`), of which:", dbt_step.seconds))
        models = sorted((n for n in b.dbt_nodes if n["resource_type"] == "model"), key=lambda n: -n["seconds"])
        for n in models[:top_models]:
            rows.append((f"  model `{n['name']}` ({n['folder'].removeprefix('models/')})", n["seconds"]))
        rest = models[top_models:]
        if rest:
            rows.append((f"  the other {len(rest)} models", sum(n["seconds"] for n in rest)))
        by_type = defaultdict(list)
        for n in b.dbt_nodes:
            if n["resource_type"] != "model":
                by_type[n["resource_type"]].append(n["seconds"])
        for kind, secs in sorted(by_type.items()):
            rows.append((f"  {len(secs)} dbt {kind}s", sum(secs)))
        if b.dbt_nodes:
            rows.append(("  dbt outside its nodes (dbt start-up, parse, dagster-dbt's event stream)",
                         dbt_step.seconds - sum(n["seconds"] for n in b.dbt_nodes)))
    rows.append(("Dagster between steps", b.between_steps))
    rows.append(("after the last step (quarantine report, shutdown)", b.after_last_step))
    return rows


def grouped_rows(b: Breakdown) -> list[tuple[str, float]]:
    """(part, seconds) of a run in the few parts a daily run's fixed cost is made of; they add up to the wall."""
    dbt = next((s for s in b.steps if s.name.endswith("dbt_models")), None)
    before = [s for s in b.steps if dbt is None or s.start < dbt.start]
    after = [s for s in b.steps if dbt is not None and s.start > dbt.start]
    checks = [s for s in before if CHECK_STEP.search(s.name)]
    ingest = [s for s in before if not CHECK_STEP.search(s.name)]
    rows = [("start-up (imports, definitions, dbt manifest)", b.startup or 0.0),
            (f"ingest steps ({len(ingest)})", sum(s.seconds for s in ingest)),
            (f"great-expectations checks ({len(checks)})", sum(s.seconds for s in checks))]
    if dbt is not None:
        by_type, counts = defaultdict(float), defaultdict(int)
        for n in b.dbt_nodes:
            by_type[n["resource_type"]] += n["seconds"]
            counts[n["resource_type"]] += 1
        rows += [(f"dbt models ({counts['model']})", by_type["model"]),
                 (f"dbt data tests ({counts['test']})", by_type["test"]),
                 ("dbt seeds and exposures", by_type["seed"] + by_type["exposure"]),
                 ("dbt outside its nodes (start-up, saved parse, artefacts, Dagster's events)",
                  dbt.seconds - sum(by_type.values()))]
    rows += [(f"steps after dbt ({len(after)}: conservation check, serving copy, alerts, report)",
              sum(s.seconds for s in after)),
             ("Dagster between steps", b.between_steps),
             ("after the last step (quarantine report, shutdown)", b.after_last_step)]
    return rows


def attach_peaks(b: Breakdown, peak_between) -> None:
    """Each part's highest sampled memory: start-up (spawn to the first step) and every step from its start line to
    its done line (`peak_between(start, end)`: measure.Measured.peak_between). Steps run one at a time here
    (the in-process executor), so a step's peak is the tree's while it ran."""
    if b.startup is not None:
        b.peaks["start-up"] = peak_between(0.0, b.startup)
    for s in b.steps:
        b.peaks[s.name] = peak_between(s.start, s.end or s.start)


def peak_rows(b: Breakdown, top: int = 8) -> list[tuple[str, int]]:
    """(part, peak bytes), highest first: where the run's memory peaks."""
    return sorted(b.peaks.items(), key=lambda kv: -kv[1])[:top]


def folder_seconds(b: Breakdown, prefixes: tuple[str, ...]) -> float:
    """dbt model time of the folders starting with one of `prefixes` (e.g. models/intermediate/allocation)."""
    return sum(n["seconds"] for n in b.dbt_nodes if n["resource_type"] == "model" and n["folder"].startswith(prefixes))
