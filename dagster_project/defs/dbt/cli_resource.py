"""The dbt resource: dagster-dbt's, told dbt's version instead of asking `dbt --version` on every run.

dagster-dbt learns the version of the `dbt` it runs by starting `dbt --version`, which imports all of dbt and asks
PyPI for the latest release: seconds per run, and a network call from the pipeline. The `dbt` it runs is the one
installed with this interpreter (defs/dbt/project.py puts it first on PATH when none is there), so its version is
the dbt-core package's."""

from __future__ import annotations

from functools import cached_property

from dagster_dbt import DbtCliResource
from packaging import version


class UnitcostDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)
