"""The dbt unit tests of the cloud bill, each in its model's folder YAML (dbt/models/staging/cloud_bill/,
intermediate/cloud_bill/, marts/reconciliation/): hand-computed effective cost for every CUR line item type, FOCUS
pass-through, the exact daily spread, the classification of every FOCUS ServiceCategory and the period reconciliation."""

from __future__ import annotations

import csv
import shutil
from decimal import ROUND_HALF_UP, Decimal

import duckdb
from dbt_build import dbt_build_unit_tests
from dagster_project.lib.bill_deliveries import ensure_bill_tables
from test_bill_ingest import cloud_bill, load  # noqa: F401 - fixture

from dagster_project.lib.warehouse import ensure_table
from ingest.schemas import RAW_TABLES

BILL_UNIT_TESTS = {
    "cur_effective_cost_follows_cid_amortization_for_every_line_item_type",
    "focus_costs_pass_through_and_commitments_explain_billed_minus_effective",
    "bill_rows_spread_exactly_over_their_days_and_split_rows_excluded",
    "bill_rows_spread_only_over_the_run_window",
    "bill_lines_are_classified_by_focus_service_category_and_cur_product_code",
    "period_reconciliation_explains_billed_minus_effective",
    "period_reconciliation_rebuilds_only_the_run_windows_periods",
}


NANO = Decimal("0.000000001")


def hand_sum(values) -> Decimal:
    return sum((Decimal(v).quantize(NANO, ROUND_HALF_UP) for v in values), Decimal(0))


def test_bill_unit_tests_pass_in_dbt_build_and_reference_bills_reconcile(tmp_path, cloud_bill, reference_data):
    warehouse = tmp_path / "unit.duckdb"
    cur_file = reference_data / "cur" / "cur1_legacy_csv_anonymized_aws_2023-11_300rows.csv"
    focus_folder = tmp_path / "focus"
    focus_folder.mkdir()
    shutil.copy(reference_data / "focus" / "focus_1_0_sample_multicloud_300rows.csv", focus_folder)
    with duckdb.connect(str(warehouse)) as con:  # unit tests read their inputs' column types from the relations
        for table, schema in RAW_TABLES.items():
            ensure_table(con, table, schema)
        ensure_bill_tables(con)
        load(cloud_bill, con, cur_file, name="cur1", format="cur1", billing_period="2023-11")
        load(cloud_bill, con, focus_folder, name="focus", format="focus")
    unit = dbt_build_unit_tests(
        tmp_path, warehouse, "+bill_reconciliation_period +int_bill_costs_spread +int_bill_lines_classified")
    assert unit == {name: "pass" for name in BILL_UNIT_TESTS}

    # the real reference bills through staging: billed and effective equal a hand sum over each file
    cur_rows = list(csv.DictReader(cur_file.open(newline="")))
    focus_rows = list(csv.DictReader((focus_folder / "focus_1_0_sample_multicloud_300rows.csv").open(newline="")))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        staged = dict((r[0], r[1:]) for r in con.execute(
            "select bill_format, count(*), sum(billed_cost), sum(effective_cost) "
            "from intermediate.int_bill_line_items_unioned group by 1").fetchall())
        periods = con.execute("select source_id, sum(unexplained_usd) from marts.bill_reconciliation_period "
                              "group by 1 order by 1").fetchall()
    cur_billed = hand_sum(r["lineItem/UnblendedCost"] for r in cur_rows)
    # Usage and Tax rows only: the CID CASE's ELSE branch, effective = unblended
    assert staged["cur1"] == (300, cur_billed, cur_billed)
    assert staged["focus"] == (300, hand_sum(r["BilledCost"] for r in focus_rows),
                               hand_sum(r["EffectiveCost"] for r in focus_rows))
    assert dict(periods)["cur1"] == 0
