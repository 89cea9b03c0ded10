"""The code location: every domain's definitions under defs/, built from one config.

`defs()` is what `dg dev` and `dg check defs` load (the config `UNITCOST_CONFIG` or ./unitcost.yaml names, else the
built-in default); `unitcost run` calls `build_definitions` with the config its `--config` names."""

import warnings

import dagster as dg

from dagster_project.defs import schedules
from dagster_project.defs.alerts import definitions as alerts
from dagster_project.defs.allocation_policy import definitions as allocation_policy
from dagster_project.defs.business import definitions as business
from dagster_project.defs.cloud_bill import definitions as cloud_bill
from dagster_project.defs.dbt import definitions as dbt
from dagster_project.defs.kubernetes import definitions as kubernetes
from dagster_project.defs.llm import definitions as llm
from dagster_project.defs.report import definitions as report
from dagster_project.defs.request_counts import definitions as request_counts
from dagster_project.defs.resources import UnitcostConfigResource, warehouse_resources
from dagster_project.defs.serving import definitions as serving
from dagster_project.defs.source_checks import definitions as source_checks
from dagster_project.lib.partitions import daily_partitions

# a source's way through the layers: config key -> domain folder (README.md, "Where each source goes")
DOMAINS = (cloud_bill, kubernetes, llm, request_counts, business, source_checks, allocation_policy, dbt, serving,
           alerts, report)


def build_definitions(unitcost: UnitcostConfigResource) -> dg.Definitions:
    partitions = daily_partitions(unitcost.config.start_date)
    with warnings.catch_warnings():
        # two Dagster APIs marked preview / beta that the pipeline relies on (docs/stack.md): asset checks on day
        # partitions (great-expectations over the run's days) and single-run backfill policies; their warnings
        # would print on every `unitcost run`, for no action of the user's
        warnings.simplefilter("ignore", dg.PreviewWarning)
        warnings.simplefilter("ignore", dg.BetaWarning)
        return _merged(unitcost, partitions)


def _merged(unitcost: UnitcostConfigResource, partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions.merge(
        *(domain.defs(partitions) for domain in DOMAINS),
        # the daily job (its runs carry their warehouse: the run queue runs one at a time per warehouse), its
        # schedule and the bill-delivery sensor
        schedules.defs(partitions, unitcost.config),
        dg.Definitions(resources=warehouse_resources(unitcost)),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(UnitcostConfigResource.find())
