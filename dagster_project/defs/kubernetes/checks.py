"""The Kubernetes raw tables' great-expectations rules (expectations.py) as Dagster asset checks of
raw/opencost_allocations, raw/opencost_assets and raw/k8s_objects, over the run's days.

A blocking check that fails makes Dagster skip every step downstream of its asset, so the dbt models never divide
a node's bill by a negative weight or lose a pod's owner. Warnings are reported and the run goes on.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.defs.kubernetes import expectations as gx_k8s
from dagster_project.lib.expectations import rule_check_result, rule_check_specs
from dagster_project.lib.raw_assets import run_days

_CHECKS = [(table, rule) for table, spec in gx_k8s.TABLE_RULES.items() for rule in spec.rules]


def kubernetes_expectations(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource):
    """Runs the Kubernetes raw tables' great-expectations rules over the run's days."""
    days = run_days(context)
    with duckdb.get_connection() as con:
        results = {table: gx_k8s.validate_days(con, table, days) for table in gx_k8s.TABLE_RULES}
    for table, rule in _CHECKS:
        yield rule_check_result(table, rule, results[table][rule], rule in gx_k8s.BLOCKING_RULES,
                                days_validated=results[table][rule].periods)


def kubernetes_expectation_checks(partitions: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    specs = rule_check_specs(_CHECKS, gx_k8s.BLOCKING_RULES, gx_k8s.RULE_DESCRIPTIONS, partitions)
    return dg.multi_asset_check(specs=specs, name="kubernetes_expectations", pool="warehouse_writer")(
        kubernetes_expectations)
