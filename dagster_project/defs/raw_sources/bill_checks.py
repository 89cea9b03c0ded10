"""The great-expectations suite of the cloud bill as Dagster asset checks on raw/cur_line_items and
raw/focus_line_items (rules: lib/gx_bill.py).

The blocking checks stop the run before dbt: a blocking check that fails makes Dagster skip every step downstream
of the checked asset, and the dbt models read the raw bill tables. What is validated: the (source, account, period)
units this run loaded, plus any unit whose blocking checks have not passed yet (loaded by a run that failed before
its checks, or that failed them), so a bad period keeps blocking until a new delivery replaces it. The result is
recorded in raw.bill_deliveries (checks_passed, checked_run_id); the dbt asset rebuilds the days of the units
validated in its run.
"""


import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.lib import gx_bill
from dagster_project.lib.project import daily_partitions

CHECKED_TABLES = ("cur_line_items", "focus_line_items")
_CHECKS = [
    (table, rule)
    for table in CHECKED_TABLES
    for rule in gx_bill.TABLE_RULES[table].rules
]


def _spec(table: str, rule: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        rule,
        asset=dg.AssetKey(["raw", table]),
        blocking=rule in gx_bill.BLOCKING_RULES,
        description=gx_bill.RULE_DESCRIPTIONS[rule],
        partitions_def=daily_partitions(),
    )


def units_to_validate(con, run_id: str) -> dict[str, list[tuple]]:
    """Per raw bill table, the units loaded by this run or not yet passed, as (source, account, period)."""
    rows = con.execute(
        """
        select bill_format, source_id, billing_account_id, billing_period
        from raw.bill_deliveries
        where row_count > 0 and (run_id = ? or checks_passed is distinct from true)
        order by 1, 2, 4, 3
        """,
        [run_id],
    ).fetchall()
    out: dict[str, list[tuple]] = {t: [] for t in CHECKED_TABLES}
    for fmt, source_id, account, period in rows:
        out["focus_line_items" if fmt == "focus" else "cur_line_items"].append((source_id, account, period))
    return out


def record_outcome(con, table: str, units: list[tuple], outcomes: dict, run_id: str) -> None:
    """checks_passed per unit: false when one of its blocking rules failed."""
    failed = {
        (f["source_id"], f["billing_account_id"], f["billing_period"])
        for rule, outcome in outcomes.items() if rule in gx_bill.BLOCKING_RULES
        for f in outcome.failures
    }
    for unit in units:
        con.execute(
            "update raw.bill_deliveries set checks_passed = ?, checked_run_id = ? "
            "where source_id = ? and billing_account_id is not distinct from ? and billing_period = ?",
            [unit not in failed, run_id, *unit],
        )


@dg.multi_asset_check(
    specs=[_spec(table, rule) for table, rule in _CHECKS],
    name="bill_expectations",
    pool="warehouse_writer",
)
def bill_expectations(context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource):
    """Runs the great-expectations rules over every bill period this run loaded (or that has not passed yet)."""
    with duckdb.get_connection() as con:
        units = units_to_validate(con, context.op_execution_context.run_id)
        results = {}
        for table in CHECKED_TABLES:
            results[table] = gx_bill.validate_bill_units(con, table, units[table]) if units[table] else {}
            record_outcome(con, table, units[table], results[table], context.op_execution_context.run_id)
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
