"""`unitcost instance init DIR`: a persistent Dagster instance for the daily run (README.md, Running daily).

DIR becomes $DAGSTER_HOME: its dagster.yaml is deploy/dagster.yaml (SQLite storage under DIR, the run queue that
keeps one run in progress per warehouse). What it prints are the commands that start the daemon against the
repository's workspace.yaml. A `unitcost run` without one executes on an ephemeral instance (run_instance)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from dagster_project.lib.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
INSTANCE_YAML = REPO / "deploy" / "dagster.yaml"
WORKSPACE_YAML = REPO / "workspace.yaml"
# Dagster's opt-in (dagster-io/dagster#29288): a range run logs one "materialization planned" event per asset with
# its days, instead of one per asset and day
PLANNED_SUBSET_ENV = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


def init_instance(home: Path) -> Path:
    """Write `home`/dagster.yaml from deploy/dagster.yaml; an existing different file is left alone (ConfigError)."""
    if not INSTANCE_YAML.exists():
        raise ConfigError(f"{INSTANCE_YAML}: missing (unitcost instance init needs the repository's deploy/ folder)")
    wanted = INSTANCE_YAML.read_text()
    target = home / "dagster.yaml"
    if target.exists() and target.read_text() != wanted:
        raise ConfigError(f"{target}: already exists and differs from {INSTANCE_YAML}; not overwritten "
                          "(remove it, or merge the run_coordinator block by hand)")
    home.mkdir(parents=True, exist_ok=True)
    target.write_text(wanted)
    return target


def start_commands(home: Path, config: str | None) -> str:
    """The shell lines that run the daily schedule and the bill-delivery sensor against this instance."""
    config_line = f" UNITCOST_CONFIG={Path(config).resolve()}" if config else ""
    return "\n".join([
        f"export DAGSTER_HOME={home.resolve()}{config_line}",
        f"dagster-daemon run -w {WORKSPACE_YAML}    # the schedule, the sensor and the run queue",
        f"dagster dev -w {WORKSPACE_YAML}           # or: the same daemon and the UI (http://127.0.0.1:3000)",
    ])


@contextlib.contextmanager
def run_instance():
    """The Dagster instance a `unitcost run` executes on: $DAGSTER_HOME's when it is set, else an ephemeral one
    that ends with the run.

    On the ephemeral one a range run (the demo's 14 days, a month's backfill) plans each asset once with its days
    rather than once per asset and day: Dagster's opt-in PLANNED_SUBSET_ENV, set for the run only (a value the
    user set wins). What Dagster trades for it is the UI's failed status of each planned day after a failed run,
    and no UI ever reads an instance that ends with its run. A persistent instance keeps Dagster's default."""
    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        yield dg.DagsterInstance.get()
        return
    mine = PLANNED_SUBSET_ENV not in os.environ
    if mine:
        os.environ[PLANNED_SUBSET_ENV] = "true"
    try:
        yield dg.DagsterInstance.ephemeral()
    finally:
        if mine:
            os.environ.pop(PLANNED_SUBSET_ENV, None)
