import dagster as dg

from dagster_project.defs.cloud_bill.assets import cloud_bill_assets
from dagster_project.defs.cloud_bill.checks import bill_expectation_checks


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=[cloud_bill_assets(partitions)], asset_checks=[bill_expectation_checks(partitions)])
