import dagster as dg

from dagster_project.defs.kubernetes.assets import kubernetes_assets
from dagster_project.defs.kubernetes.checks import kubernetes_expectation_checks


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=kubernetes_assets(partitions),
                          asset_checks=[kubernetes_expectation_checks(partitions)])
