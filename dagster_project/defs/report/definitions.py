import dagster as dg

from dagster_project.defs.report.assets import report_assets


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=[report_assets(partitions)])
