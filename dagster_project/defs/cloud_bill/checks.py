"""The bill's great-expectations rules (expectations.py) as Dagster asset checks on raw/cur_line_items and
raw/focus_line_items.

The blocking checks stop the run before dbt: a blocking check that fails makes Dagster skip every step downstream
of the checked asset, and the dbt models read the raw bill tables. What is validated: the (source, account, period)
units this run loaded, plus any unit whose blocking checks have not passed yet (loaded by a run that failed before
its checks, or that failed them), so a bad period keeps blocking until a new delivery replaces it. The result is
recorded in raw.bill_deliveries; the dbt asset rebuilds the days of the units validated in its run.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.defs.cloud_bill import expectations as gx_bill
from dagster_project.lib.bill_deliveries import BILL_TABLES, record_check_outcome, units_to_validate

_CHECKS = [(table.name, rule) for table in BILL_TABLES for rule in gx_bill.TABLE_RULES[table.name].rules]


def _failed_units(outcomes: dict[str, gx_bill.RuleOutcome]) -> set[tuple]:
    """The (source, account, period) units that failed a blocking rule."""
    return {
        (f["source_id"], f["billing_account_id"], f["billing_period"])
        for rule, outcome in outcomes.items() if rule in gx_bill.BLOCKING_RULES
        for f in outcome.failures
    }


def bill_expectations(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource):
    """Runs the great-expectations rules over every bill period this run loaded (or that has not passed yet)."""
    run_id = context.op_execution_context.run_id
    with duckdb.get_connection() as con:
        units = units_to_validate(con, run_id)
        results = {}
        for table, table_units in units.items():
            results[table] = gx_bill.validate_bill_units(con, table, table_units) if table_units else {}
            record_check_outcome(con, table_units, _failed_units(results[table]), run_id)
    for table, rule in _CHECKS:
        outcome = results[table].get(rule) or gx_bill.RuleOutcome()
        blocking = rule in gx_bill.BLOCKING_RULES
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey(["raw", table]),
            check_name=rule,
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            metadata={
                "periods_validated": outcome.periods,
                "rows_validated": outcome.rows,
                "periods": ", ".join(f"{s}/{a}/{p}" for s, a, p in units[table]) or "none loaded in this run",
                "failures": dg.MetadataValue.json(outcome.failures[:20]),
            },
        )


def bill_expectation_checks(partitions: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(
            rule,
            asset=dg.AssetKey(["raw", table]),
            blocking=rule in gx_bill.BLOCKING_RULES,
            description=gx_bill.RULE_DESCRIPTIONS[rule],
            partitions_def=partitions,
        )
        for table, rule in _CHECKS
    ]
    return dg.multi_asset_check(specs=specs, name="bill_expectations", pool="warehouse_writer")(bill_expectations)
