import dagster as dg

from dagster_project.defs.dbt.assets import dbt_models
from dagster_project.defs.dbt.checks import conservation_checks


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    return dg.Definitions(assets=[dbt_models(partitions)], asset_checks=[conservation_checks(partitions)])
