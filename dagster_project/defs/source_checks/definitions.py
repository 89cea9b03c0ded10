import dagster as dg

from dagster_project.defs.source_checks.checks import source_expectation_checks


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(asset_checks=[source_expectation_checks(partitions)])
