import dagster as dg

from dagster_project.defs.request_counts.assets import request_count_assets


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=[request_count_assets(partitions)])
