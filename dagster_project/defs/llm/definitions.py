import dagster as dg

from dagster_project.defs.llm.assets import llm_assets


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=llm_assets(partitions))
