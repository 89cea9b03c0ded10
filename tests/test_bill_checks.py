"""The great-expectations suite of a loaded bill period (dagster_project/lib/gx_bill.py), on a real DuckDB file."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from test_bill_ingest import (  # noqa: F401 - fixtures
    cloud_bill,
    cur2_row,
    focus_csv,
    focus_row,
    load,
    put,
    warehouse,
    write_cur2_delivery,
)

from dagster_project.defs.cloud_bill import expectations as gx_bill

PAYER = "111122223333"


def validate(con, table, units, batch_rows=gx_bill.BATCH_ROWS):
    return gx_bill.validate_bill_units(con, table, units, batch_rows=batch_rows)


def failing(outcomes) -> set[str]:
    return {rule for rule, outcome in outcomes.items() if not outcome.passed}


def test_clean_cur_period_passes_every_rule(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    write_cur2_delivery(root, "2026-10", "e1", [[cur2_row("1.00", line_item_resource_id="i-1")]], "20261004T000000Z")
    load(cloud_bill, warehouse, root)
    outcomes = validate(warehouse, "cur_line_items", [("cur", PAYER, "2026-10")])
    assert failing(outcomes) == set()
    assert outcomes["required_columns"].rows == 1 and outcomes["required_columns"].periods == 1


def test_two_currencies_fail_the_blocking_currency_rule_across_batches(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    rows = [cur2_row(f"{i}.00", line_item_resource_id="i-1") for i in range(1, 6)]
    rows.append(cur2_row("9.00", line_item_currency_code="EUR", line_item_resource_id="i-1"))
    write_cur2_delivery(root, "2026-10", "e1", [rows], "20261004T000000Z")
    load(cloud_bill, warehouse, root)

    outcomes = validate(warehouse, "cur_line_items", [("cur", PAYER, "2026-10")], batch_rows=2)

    assert failing(outcomes) == {"one_currency_per_period"}
    assert "one_currency_per_period" in gx_bill.BLOCKING_RULES
    (failure,) = outcomes["one_currency_per_period"].failures
    assert failure["billing_period"] == "2026-10"
    assert failure["failed"][0]["unexpected_count"] == 1 and failure["failed"][0]["examples"] == ["EUR"]
    assert outcomes["one_currency_per_period"].rows == 6


def test_negative_usage_blocks_only_on_usage_rows(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    rows = [
        cur2_row("1.00", line_item_resource_id="i-1", line_item_usage_amount=-2.0),
        cur2_row("-1.00", line_item_line_item_type="Credit", line_item_usage_amount=-1.0),
        cur2_row("0.10", line_item_line_item_type="BrandNewType", line_item_resource_id="i-1"),
        cur2_row("0.20", "2026-09-30T23:00:00", line_item_resource_id="i-1",  # billed in October
                 bill_billing_period_start_date=datetime(2026, 10, 1),
                 bill_billing_period_end_date=datetime(2026, 11, 1)),
    ]
    write_cur2_delivery(root, "2026-10", "e1", [rows], "20261004T000000Z")
    load(cloud_bill, warehouse, root)
    outcomes = validate(warehouse, "cur_line_items", [("cur", PAYER, "2026-10")])
    assert failing(outcomes) == {"usage_not_negative", "known_line_item_types", "charges_within_billing_period"}
    assert outcomes["usage_not_negative"].failures[0]["failed"][0]["unexpected_count"] == 1
    assert outcomes["known_line_item_types"].failures[0]["failed"][0]["examples"] == ["BrandNewType"]


def test_a_required_value_missing_fails_the_required_columns_rule(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    write_cur2_delivery(root, "2026-10", "e1", [[cur2_row("1.00", line_item_resource_id="i-1"),
                                                 cur2_row("0", line_item_resource_id="i-2",
                                                          line_item_line_item_type=None)]], "20261004T000000Z")
    load(cloud_bill, warehouse, root)
    outcomes = validate(warehouse, "cur_line_items", [("cur", PAYER, "2026-10")])
    assert "required_columns" in failing(outcomes)


def test_reference_files_pass_the_blocking_rules_and_warn_where_expected(
    cloud_bill, warehouse, reference_data, tmp_path
):
    cur1 = reference_data / "cur" / "cur1_legacy_csv_anonymized_aws_2023-11_300rows.csv"
    load(cloud_bill, warehouse, cur1, name="cur1", format="cur1", billing_period="2023-11")
    folder = tmp_path / "focus"
    folder.mkdir()
    shutil.copy(reference_data / "focus" / "focus_1_0_sample_multicloud_300rows.csv", folder)
    focus_units = [(r["source_id"], r["billing_account_id"], r["billing_period"])
                   for r in load(cloud_bill, warehouse, folder, name="focus", format="focus")]

    cur_outcomes = validate(warehouse, "cur_line_items", [("cur1", "123412340534", "2023-11")])
    focus_outcomes = validate(warehouse, "focus_line_items", focus_units)

    blocking = set(gx_bill.BLOCKING_RULES)
    assert not failing(cur_outcomes) & blocking
    assert not failing(focus_outcomes) & blocking
    # the CUR sample has no resource ids at all: node matching is impossible, a warning
    assert failing(cur_outcomes) == {"resource_ids_present"}
    # FOCUS: refunds as negative Usage, and the Oracle charge dated before its billing period
    assert {"quantities_not_negative", "charges_within_billing_period"} <= failing(focus_outcomes)
    outside = {(f["billing_account_id"], f["billing_period"])
               for f in focus_outcomes["charges_within_billing_period"].failures}
    assert outside == {("20209880", "2024-10")}
    assert focus_outcomes["required_columns"].rows == 300


def test_focus_two_currencies_fail(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "focus"
    put(root, "a.csv", focus_csv([focus_row("ba", "1.00"), focus_row("ba", "2.00", currency="EUR")]))
    load(cloud_bill, warehouse, root, format="focus")
    outcomes = validate(warehouse, "focus_line_items", [("cur", "ba", "2026-10")])
    assert "one_currency_per_period" in failing(outcomes)


@pytest.mark.parametrize("rule", gx_bill.BLOCKING_RULES + gx_bill.WARNING_RULES)
def test_every_rule_is_described(rule):
    assert gx_bill.RULE_DESCRIPTIONS[rule]


def test_bill_checks_are_blocking_asset_checks_upstream_of_staging(monkeypatch):
    import dagster as dg

    from dagster_project.definitions import build_definitions
    from dagster_project.defs.resources import UnitcostConfigResource

    example = Path(__file__).resolve().parents[1] / "unitcost.example.yaml"
    graph = build_definitions(UnitcostConfigResource(path=str(example))).resolve_asset_graph()
    for table, rules in (("cur_line_items", gx_bill.CUR_RULES.rules), ("focus_line_items", gx_bill.FOCUS_RULES.rules)):
        for rule in rules:
            spec = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["raw", table]), rule))
            assert spec.blocking == (rule in gx_bill.BLOCKING_RULES), (table, rule)
    assert dg.AssetKey(["raw", "focus_line_items"]) in graph.get(
        dg.AssetKey(["staging", "stg_focus__line_items"])).parent_keys
    assert dg.AssetKey(["marts", "bill_reconciliation_period"]) in graph.get(
        dg.AssetKey(["serving", "marts_copy"])).parent_keys
