import dagster as dg

from dagster_project.defs.allocation_policy.assets import allocation_policy_assets


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=[allocation_policy_assets(partitions)])
