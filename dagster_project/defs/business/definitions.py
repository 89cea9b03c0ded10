import dagster as dg

from dagster_project.defs.business.assets import business_assets


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=[business_assets(partitions)])
