import dagster as dg

from dagster_project.defs.serving.assets import serving_assets


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=[serving_assets(partitions)])
