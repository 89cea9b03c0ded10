import dagster as dg

from dagster_project.defs.alerts.assets import alert_assets


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=[alert_assets(partitions)])
