"""Every warehouse transformation is a dbt model; Dagster runs one `dbt build` per run over its window of days.

dbt's own per-node lines (one START and one result line per model, seed and test) go to `dbt_output.log` in the
run's dbt target folder, pruned with it (lib/pruning.py); the run shows a count of nodes built instead, and the
last lines of that log, with its path, only when dbt fails."""

import json
import re
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.defs.dbt.project import dbt_project
from dagster_project.defs.dbt.run_window import run_window, write_run_window
from dagster_project.defs.dbt.saved_parse import (PARTIAL_PARSE_FILE, duckdb_run_vars, keep_parse, parse_args,
                                                  saved_parse_path)
from dagster_project.defs.report.assets import builds_report
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.defs.dbt.translator import UnitcostDbtTranslator
from dagster_project.lib import progress, warehouse_session
from dagster_project.lib.pruning import checkpoint, prune_run_folders
from dagster_project.lib.run_steps import count_bytes
from dagster_project.lib.warehouse_engines import dbt_bytes, warehouse_engine
from dagster_project.report import charts

DBT_OUTPUT_LOG = "dbt_output.log"
FAILURE_TAIL_LINES = 40  # lines of dbt's output shown when it fails
# dbt's unit tests check the models' SQL on fixed inputs, not the data: the test suite runs every one of them
# (tests/conftest.py project_unit_tests, under vars unlike the defaults), so a run does not repeat them
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")
_NODE_DONE = re.compile(r"^\s*(\d+) of (\d+) (?:OK|PASS|FAIL|ERROR|WARN|SKIP|NO-OP)\b")


class _DbtOutput:
    """What dagster-dbt prints of dbt's events: written to the log file, and the "N of M <status>" lines counted."""

    def __init__(self, path: Path, on_node) -> None:
        self.path = path
        self.file = path.open("w", encoding="utf-8")
        self.on_node = on_node
        self._partial = ""

    def write(self, text: str) -> int:
        self.file.write(text)
        self._partial += text
        *lines, self._partial = self._partial.split("\n")
        for line in lines:
            done = _NODE_DONE.match(line)
            if done:
                self.on_node(int(done.group(1)), int(done.group(2)))
        return len(text)

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()

    def tail(self, lines: int) -> str:
        self.file.flush()
        return "\n".join(self.path.read_text(encoding="utf-8").splitlines()[-lines:])


def _build_args(context: dg.AssetExecutionContext, dbt: DbtCliResource, config, window: dict[str, str]):
    """`dbt build`'s arguments for the window; with the saved parse it may reuse (None: it reuses none).

    On DuckDB the window and run id go in the control table raw.run_window, the vars stay those of the config, and
    dbt reads its saved parse of the last run with the same vars (defs/dbt/saved_parse.py). On BigQuery they stay
    vars: a model's day partitions (insert_overwrite) are fixed when dbt parses it, so there each run parses."""
    if warehouse_engine(config).dbt_target != "duckdb":
        dbt_vars = {**config.dbt_vars(), **window, "current_run_id": context.run.run_id}
        return [*BUILD_ARGS, "--vars", json.dumps(dbt_vars)], None
    write_run_window(config, window, context.run.run_id)
    dbt_vars = duckdb_run_vars(config.dbt_vars())
    project = dbt_project()
    saved = saved_parse_path(project.project_dir / project.target_path, dbt_vars, dbt.target)
    return [*BUILD_ARGS, "--vars", json.dumps(dbt_vars), *parse_args(saved)], saved


def unitcost_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, unitcost: UnitcostConfigResource):
    """`dbt build` of every model, seed and data test for the run's days: the ledger's days are deleted and rebuilt,
    and a failing error-severity test (conservation among them) stops the models after it."""
    config = unitcost.config
    window = run_window(context, config)
    # on BigQuery the run's raw partitions go up first (lib/warehouse_engines.py); on DuckDB nothing moves
    warehouse_engine(config).push_raw(date.fromisoformat(window["start_date"]),
                                      date.fromisoformat(window["end_date"]), context.run.run_id)
    args, saved = _build_args(context, dbt, config, window)
    # dbt's own process opens the DuckDB file: this one lets go of it until dbt has exited
    with warehouse_session.let_go(config.warehouse_path):
        invocation = dbt.cli(args, context=context)
        if config.bigquery is None and builds_report(context):
            charts.warm_up_in_background()  # this process only waits on dbt meanwhile: the report's renderer starts
        yield from _stream_build(context, invocation, saved)
    # bounded disk: this run's target folder is the newest; older ones beyond keep_runs go, the file is checkpointed
    removed = prune_run_folders(invocation.target_path.parent, context.op_def.name, config.keep_runs)
    checkpoint(config.warehouse_path)
    context.log.info(f"pruned {len(removed)} dbt target folders (keeping {config.keep_runs}); warehouse checkpointed")


def _stream_build(context: dg.AssetExecutionContext, invocation, saved):
    """dagster-dbt's events of the running `dbt build`, its output counted and logged to a file."""
    output = _DbtOutput(Path(invocation.target_path) / DBT_OUTPUT_LOG,
                        lambda done, total: progress.count(context, "dbt build", done, total, "nodes"))
    events = iter(invocation.stream())
    try:
        while True:
            with redirect_stdout(output):  # only while dagster-dbt reads the next event, not while Dagster stores it
                event = next(events, None)
            if event is None:
                break
            yield event
    except Exception as exc:
        raise dg.Failure(
            description=f"dbt build failed; the last {FAILURE_TAIL_LINES} lines of {output.path}:\n"
                        f"{output.tail(FAILURE_TAIL_LINES)}\n\n{str(exc).strip()[:3000]}",
            metadata={"dbt_log": str(output.path)},
        ) from exc
    finally:
        output.close()
        # what dbt's jobs processed and billed (BigQuery), read before the target folder may be pruned
        count_bytes(*dbt_bytes(invocation.target_path / "run_results.json"))
        if saved is not None:
            project = dbt_project()
            keep_parse(invocation.target_path, saved, project.project_dir / project.target_path / PARTIAL_PARSE_FILE)
    context.log.info(f"dbt build finished; its per-node log: {output.path}")


def dbt_models(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    project = dbt_project()
    return dbt_assets(
        manifest=project.manifest_path,
        project=project,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        dagster_dbt_translator=UnitcostDbtTranslator(),
        pool="warehouse_writer",
    )(unitcost_dbt_models)
