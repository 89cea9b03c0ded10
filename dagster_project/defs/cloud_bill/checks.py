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
from dagster_project.lib.bill_deliveries import BILL_TABLES, days_touched_by_run, record_check_outcome, units_to_validate
from dagster_project.lib.expectations import rule_check_result, rule_check_specs
from dagster_project.lib.touched_days import record_touched_days

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
        # the periods validated here (loaded by an earlier run) are days this run's dbt build must rebuild
        record_touched_days(con, run_id, "bill_expectations", days_touched_by_run(con, run_id))
    for table, rule in _CHECKS:
        outcome = results[table].get(rule) or gx_bill.RuleOutcome()
        if rule in gx_bill.BLOCKING_RULES:
            for f in outcome.failures:  # said in the run's output, not only stored
                context.log.error(f"bill check {rule} failed for {f['source_id']} account {f['billing_account_id']}, "
                                  f"period {f['billing_period']} (files: {', '.join(f['files']) or 'none'})")
        yield rule_check_result(
            table, rule, outcome, rule in gx_bill.BLOCKING_RULES,
            periods_validated=outcome.periods,
            periods=", ".join(f"{s}/{a}/{p}" for s, a, p in units[table]) or "none loaded in this run",
        )


def bill_expectation_checks(partitions: dg.PartitionsDefinition) -> dg.AssetChecksDefinition:
    specs = rule_check_specs(_CHECKS, gx_bill.BLOCKING_RULES, gx_bill.RULE_DESCRIPTIONS, partitions)
    return dg.multi_asset_check(specs=specs, name="bill_expectations", pool="warehouse_writer")(bill_expectations)
