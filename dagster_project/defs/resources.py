"""The one file that decides the environment: the unitcost config as a resource, and the warehouse and dbt
resources it implies (docs/configuration.md; BigQuery: README.md, Running on BigQuery). warehouse.engine picks the
dbt target here and the engine every warehouse step asks (lib/warehouse_engines.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.lib.config import UnitcostConfig, default_config, find_config_path, load_config


@cache
def _load(path: str) -> UnitcostConfig:
    return load_config(path) if path else default_config()


class UnitcostConfigResource(dg.ConfigurableResource):
    """The unitcost config file (`path`; empty = the built-in default), parsed once per process and path.
    Assets read their sources and settings from `.config`."""

    path: str = ""

    @classmethod
    def find(cls, explicit: str | Path | None = None) -> UnitcostConfigResource:
        """The config `--config` names, else $UNITCOST_CONFIG, else ./unitcost.yaml, else the built-in default."""
        found = find_config_path(explicit)
        return cls(path=str(found) if found else "")

    @property
    def config(self) -> UnitcostConfig:
        return _load(self.path)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run that reads sources will validate them: start the great_expectations import now, beside the ingest
        steps, rather than in the first check step (every run is one process: defs/schedules.py)."""
        if self.config.sources:
            from dagster_project.lib.expectations import warm_up_in_background

            warm_up_in_background()


class WarehouseResource(DuckDBResource):
    """The pipeline's DuckDB file; its folder is made when a run first needs it (never by loading definitions).
    Every run that uses it holds the warehouse's run lock (lib/run_lock.py) from its first step to its last, however
    it was launched: a daemon run beside a CLI run waits up to `lock_wait_seconds`, then fails naming the holder."""

    lock_wait_seconds: float = 0.0

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        from dagster_project.lib.run_lock import run_lock

        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        from dagster_project.lib import warehouse_session

        with run_lock(Path(self.database), self.lock_wait_seconds, log=context.log.warning if context.log else print):
            # the file stays open from the run's first step to its last (lib/warehouse_session.py)
            with warehouse_session.held(self.database, self._settings()):
                yield self

    def _settings(self) -> dict:
        return {"custom_user_agent": "dagster", **self.connection_config}

    @contextlib.contextmanager
    def get_connection(self):
        """A cursor of the file the run holds, or outside a run DuckDBResource's connection with its settings;
        closed also when the step fails while using it (dagster-duckdb closes its own only on success)."""
        from dagster_project.lib import warehouse_session

        with warehouse_session.connect(self.database, self._settings(), wait=True) as conn:
            yield conn


def warehouse_resources(unitcost: UnitcostConfigResource) -> dict[str, dg.ConfigurableResource]:
    """Every resource an asset or check asks for, from one config."""
    from dagster_project.defs.dbt.cli_resource import UnitcostDbtCliResource
    from dagster_project.defs.dbt.project import DBT_PROJECT_DIR, dbt_project
    from dagster_project.lib.warehouse_engines import warehouse_engine

    # warehouse.engine decides the dbt target; the DuckDB file stays the run's control store on either engine
    # (lib/warehouse_engines.py: on BigQuery the raw rows are pushed from it before dbt builds)
    target = warehouse_engine(unitcost.config).dbt_target
    return {
        "unitcost": unitcost,
        "duckdb": WarehouseResource(database=str(unitcost.config.warehouse_path), connection_config=(
            {"memory_limit": unitcost.config.memory_limit} if unitcost.config.memory_limit else {}),
            lock_wait_seconds=unitcost.config.run_lock_wait_seconds),
        "dbt": UnitcostDbtCliResource(project_dir=dbt_project(), profiles_dir=str(DBT_PROJECT_DIR),
                                      target=None if target == "duckdb" else target),
    }
