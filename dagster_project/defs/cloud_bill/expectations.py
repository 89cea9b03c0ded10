"""The great-expectations suite of a loaded bill period (raw.cur_line_items, raw.focus_line_items).

Rules are grouped into the asset checks that report them (checks.py). Blocking: required columns present and
filled, column types, one currency per (billing account, billing period), no negative usage on CUR usage rows.
Warning only: unknown line item types (they take the ELSE branch of the effective-cost CASE), charges dated outside
their billing period (FOCUS places them on their charge date), negative quantities in FOCUS (refunds appear as
negative Usage there), missing resource ids on usage rows (node matching is then impossible).

great-expectations validates pandas batches: each (source, account, period) is read from DuckDB in bounded record
batches of only the columns the rules need, turned into pandas through polars, and validated batch by batch, so
memory stays flat whatever the size of the period. Full-table invariants belong in dbt tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from dagster_project.lib.expectations import (
    BATCH_ROWS,
    RuleOutcome,
    describe,
    gx_modules,
    merge_failures,
    record_batches,
    validate,
)

# rule name -> blocking?
BLOCKING_RULES = ("required_columns", "column_types", "one_currency_per_period", "usage_not_negative")
WARNING_RULES = ("known_line_item_types", "charges_within_billing_period", "quantities_not_negative",
                 "resource_ids_present")
RULE_DESCRIPTIONS = {
    "required_columns": "The columns a bill row cannot do without are present and filled.",
    "column_types": "Money is DECIMAL, times are timestamps, quantities floats, names strings.",
    "one_currency_per_period": "Every row of a (billing account, billing period) is in the same currency.",
    "usage_not_negative": "Usage, DiscountedUsage and SavingsPlanCoveredUsage rows have a non-negative usage amount.",
    "known_line_item_types": "Line item types (CUR) / charge categories (FOCUS) are known ones; others take the "
                             "ELSE branch of the effective-cost CASE.",
    "charges_within_billing_period": "Charge periods lie inside their billing period (FOCUS rows outside it belong "
                                     "to their charge date).",
    "quantities_not_negative": "FOCUS consumed quantities are not negative (refunds appear as negative Usage).",
    "resource_ids_present": "Usage rows carry a resource id (without it node matching is impossible).",
}

CUR_LINE_ITEM_TYPES = (
    "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation", "SavingsPlanRecurringFee",
    "SavingsPlanUpfrontFee", "RIFee", "Fee", "Credit", "Refund", "Tax", "EdpDiscount", "PrivateRateDiscount",
    "BundledDiscount", "RiVolumeDiscount", "Discount", "FlatRateSubscription", "SppDiscount",
)
CUR_USAGE_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")
FOCUS_CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")


@dataclass(frozen=True)
class TableRules:
    """What the suite needs to know about one raw bill table."""

    table: str
    required: tuple[str, ...]
    types: dict[str, str]  # column -> pandas value type name great-expectations reports
    currency: str
    line_type: str
    known_types: tuple[str, ...]
    usage_types: tuple[str, ...]  # rows that must carry a resource id
    charge_start: str
    charge_end: str
    period_start: str
    period_end: str
    resource_id: str
    quantity: str
    rules: tuple[str, ...]


CUR_RULES = TableRules(
    table="cur_line_items",
    required=("billing_account_id", "line_item_line_item_type", "line_item_usage_start_date",
              "line_item_usage_end_date", "line_item_unblended_cost"),
    types={"billing_account_id": "str", "line_item_line_item_type": "str", "line_item_unblended_cost": "Decimal",
           "line_item_usage_start_date": "Timestamp", "line_item_usage_end_date": "Timestamp",
           "line_item_usage_amount": "float64"},
    currency="line_item_currency_code",
    line_type="line_item_line_item_type",
    known_types=CUR_LINE_ITEM_TYPES,
    usage_types=CUR_USAGE_TYPES,
    charge_start="line_item_usage_start_date",
    charge_end="line_item_usage_end_date",
    period_start="bill_billing_period_start_date",
    period_end="bill_billing_period_end_date",
    resource_id="line_item_resource_id",
    quantity="line_item_usage_amount",
    rules=("required_columns", "column_types", "one_currency_per_period", "usage_not_negative",
           "known_line_item_types", "charges_within_billing_period", "resource_ids_present"),
)
FOCUS_RULES = TableRules(
    table="focus_line_items",
    required=("billing_account_id", "billing_currency", "billing_period_start", "billing_period_end",
              "charge_category", "charge_period_start", "charge_period_end", "billed_cost", "effective_cost"),
    types={"billing_account_id": "str", "charge_category": "str", "billed_cost": "Decimal",
           "effective_cost": "Decimal", "charge_period_start": "Timestamp", "charge_period_end": "Timestamp",
           "consumed_quantity": "float64"},
    currency="billing_currency",
    line_type="charge_category",
    known_types=FOCUS_CHARGE_CATEGORIES,
    usage_types=("Usage",),
    charge_start="charge_period_start",
    charge_end="charge_period_end",
    period_start="billing_period_start",
    period_end="billing_period_end",
    resource_id="resource_id",
    quantity="consumed_quantity",
    rules=("required_columns", "column_types", "one_currency_per_period", "known_line_item_types",
           "charges_within_billing_period", "quantities_not_negative", "resource_ids_present"),
)
TABLE_RULES = {r.table: r for r in (CUR_RULES, FOCUS_RULES)}


def validate_bill_units(
    con, table: str, units: Iterable[tuple[str, str | None, str]], batch_rows: int = BATCH_ROWS
) -> dict[str, RuleOutcome]:
    """Validate each (source_id, billing_account_id, billing_period) of raw.<table>; one outcome per rule."""
    spec = TABLE_RULES[table]
    outcomes = {rule: RuleOutcome() for rule in spec.rules}
    existing = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?", [table]
    ).fetchall()}
    wanted = [spec.currency, spec.line_type, spec.charge_start, spec.charge_end, spec.period_start, spec.period_end,
              spec.resource_id, spec.quantity, *spec.required, *spec.types]
    columns = [c for c in dict.fromkeys(wanted) if c in existing]
    for source_id, account, period in units:
        where = "source_id = ? and billing_account_id is not distinct from ? and billing_period = ?"
        params = [source_id, account, period]
        # the period's currency is its most common one: rows in any other are the unexpected ones
        currency = (con.execute(
            f"select {spec.currency} from raw.{table} where {where} and {spec.currency} is not null "
            f"group by 1 order by count(*) desc, 1 limit 1", params
        ).fetchone() or [None])[0] if spec.currency in existing else None
        # DuckDB types a column once for the whole table: the type rule needs the first batch only, and the
        # other batches hand money over as floats (only its nulls matter to them; Decimal objects are slow)
        typed_suite, suite = _suite(spec, currency, types=True), _suite(spec, currency, types=False)
        unit_failed: dict[str, list] = {}
        rows = 0
        for batch in record_batches(con, f"select {', '.join(columns)} from raw.{table} where {where}", params,
                                    batch_rows):
            if batch.num_rows == 0:
                continue
            first = rows == 0
            rows += batch.num_rows
            frame = _derived(pl.from_arrow(batch), spec)
            if not first:
                frame = frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))
            for result in validate(frame.to_pandas(), typed_suite if first else suite):
                if not result.success:
                    rule = result.expectation_config.meta["rule"]
                    unit_failed.setdefault(rule, []).append(describe(result))
        # a failure names the files of its period, as a load error does
        files = [r[0] for r in con.execute(
            f"select distinct source_file from raw.{table} where {where} order by 1 limit 10", params
        ).fetchall()] if unit_failed and "source_file" in existing else []
        for rule, outcome in outcomes.items():
            outcome.periods += 1
            outcome.rows += rows
            if rule in unit_failed:
                outcome.passed = False
                outcome.failures.append({"source_id": source_id, "billing_account_id": account,
                                         "billing_period": period, "files": files,
                                         "failed": merge_failures(unit_failed[rule])})
    return outcomes


def _derived(frame: pl.DataFrame, spec: TableRules) -> pl.DataFrame:
    """Columns that restrict a rule to some rows: null elsewhere, and great-expectations skips nulls."""
    out = []
    if spec.line_type in frame.columns:
        is_usage = pl.col(spec.line_type).is_in(spec.usage_types)
        if spec.quantity in frame.columns:
            out.append(pl.when(is_usage).then(pl.col(spec.quantity)).alias("usage_amount_of_usage_rows"))
        if spec.resource_id in frame.columns:
            out.append(pl.when(is_usage).then(pl.col(spec.resource_id).is_not_null())
                       .alias("resource_id_present_on_usage_rows"))
    return frame.with_columns(out) if out else frame


def _suite(spec: TableRules, currency: str | None, types: bool):
    gx, gxe = gx_modules()
    suite = gx.ExpectationSuite(name=f"bill_{spec.table}")

    def add(rule: str, expectation) -> None:
        if rule in spec.rules:
            expectation.meta = {"rule": rule}
            suite.expectations.append(expectation)

    for column in spec.required:
        add("required_columns", gxe.ExpectColumnToExist(column=column))
        add("required_columns", gxe.ExpectColumnValuesToNotBeNull(column=column))
    for column, type_name in spec.types.items() if types else ():
        add("column_types", gxe.ExpectColumnValuesToBeOfType(column=column, type_=type_name))
    if currency is not None:
        add("one_currency_per_period", gxe.ExpectColumnValuesToBeInSet(column=spec.currency, value_set=[currency]))
    add("usage_not_negative", gxe.ExpectColumnValuesToBeBetween(column="usage_amount_of_usage_rows", min_value=0))
    add("known_line_item_types", gxe.ExpectColumnValuesToBeInSet(column=spec.line_type,
                                                                  value_set=list(spec.known_types)))
    add("charges_within_billing_period", gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=spec.charge_start, column_B=spec.period_start, or_equal=True,
        ignore_row_if="either_value_is_missing"))
    add("charges_within_billing_period", gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=spec.period_end, column_B=spec.charge_end, or_equal=True,
        ignore_row_if="either_value_is_missing"))
    add("quantities_not_negative", gxe.ExpectColumnValuesToBeBetween(column=spec.quantity, min_value=0))
    add("resource_ids_present", gxe.ExpectColumnValuesToBeInSet(column="resource_id_present_on_usage_rows",
                                                                 value_set=[True]))
    return suite
