"""The usage and business raw tables' great-expectations rules (expectations.py) as Dagster asset checks over the
run's days (the business tables whole). A blocking check that fails makes Dagster skip the dbt models downstream."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.defs.source_checks import expectations as rules
from dagster_project.lib.expectations import rule_check_result, rule_check_specs
from dagster_project.lib.raw_assets import run_days
from dagster_project.lib.table_rules import validate_table

_CHECKS = [(table, rule) for table, spec in rules.TABLE_RULES.items() for rule in spec.rules]


def source_expectations(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource):
    """Runs the usage and business raw tables' great-expectations rules over the run's days."""
    days = run_days(context)
    with duckdb.get_connection() as con:
        results = {table: validate_table(con, spec, days) for table, spec in rules.TABLE_RULES.items()}
    for table, rule in _CHECKS:
        yield rule_check_result(table, rule, results[table][rule], rule in rules.BLOCKING_RULES,
                                periods_validated=results[table][rule].periods)


def source_expectation_checks(partitions: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    specs = rule_check_specs(_CHECKS, rules.BLOCKING_RULES, rules.RULE_DESCRIPTIONS, partitions)
    return dg.multi_asset_check(specs=specs, name="source_expectations", pool="warehouse_writer")(source_expectations)
