import dagster as dg

from dagster_project.defs.kubernetes.assets import kubernetes_assets


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=kubernetes_assets(partitions))
