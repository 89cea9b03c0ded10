"""The dbt resource: dagster-dbt's, without the two things it does in this process before each `dbt build`.

- It learns the version of the `dbt` it runs by starting `dbt --version`, which imports all of dbt and asks PyPI
  for the latest release: seconds per run, and a network call from the pipeline. The `dbt` it runs is the one
  installed with this interpreter (defs/dbt/project.py puts it first on PATH when none is there), so its version
  is the dbt-core package's.
- It loads the project, the profile and dbt's macros into a dbt adapter of its own (seconds), which serves only
  `fetch_row_counts()` and `fetch_column_metadata()`; unitcost asks for neither (defs/dbt/assets.py), so it gets
  none."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from dagster_dbt import DbtCliResource
from packaging import version


class UnitcostDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None
