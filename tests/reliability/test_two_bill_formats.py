"""A CUR 1 and a CUR 2.0 export of the same billing period (docs/cloud-bill.md, "One export per period"): the same
charges twice, so never summed. In one source folder the period is refused naming both manifests (the months only
one of them delivers still load); in two configured sources the run stops before dbt naming both sources; either
way no ledger dollar is counted twice."""

from __future__ import annotations

import gzip
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_bill_ingest import (  # noqa: E402,F401 - cloud_bill, warehouse: fixtures
    PAYER, cloud_bill, cur2_row, load, put, totals, warehouse, write_cur2_delivery)
from test_bill_pipeline import query, write_config  # noqa: E402

from dagster_project.cli import run_pipeline  # noqa: E402
from dagster_project.lib.bill_deliveries import cur_periods_in_two_sources  # noqa: E402
from ingest.errors import LandingFileError  # noqa: E402

HEADER = ("identity/LineItemId,bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,"
          "lineItem/UsageEndDate,lineItem/UnblendedCost,lineItem/CurrencyCode")


def write_cur1_report(root: Path, month: str, cost: str) -> str:
    """A CUR 1 report of `month` (YYYY-MM) for PAYER: one usage hour on the 2nd costing `cost`; its manifest key."""
    year, mon = (int(p) for p in month.split("-"))
    folder = f"{year}{mon:02d}01-{year + mon // 12}{mon % 12 + 1:02d}01"
    hour = f"{month}-02T05:00:00Z,{month}-02T06:00:00Z"
    body = gzip.compress(f"{HEADER}\nc1-{month},{PAYER},Usage,{hour},{cost},USD\n".encode())
    put(root, f"{folder}/asm-1/cur-1.csv.gz", body)
    manifest = {"assemblyId": f"asm-{month}", "billingPeriod": {"start": f"{year}{mon:02d}01T000000.000Z"},
                "reportKeys": [f"p/cur/{folder}/asm-1/cur-1.csv.gz"]}
    put(root, f"{folder}/cur-Manifest.json", json.dumps(manifest))
    return f"{folder}/cur-Manifest.json"


def test_one_folder_with_both_exports_of_a_month_refuses_that_month_naming_both(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "bill"
    write_cur2_delivery(root, "2026-10", "exec-1", [[cur2_row("1.50")]], "20261004T010000Z")
    cur1_october = write_cur1_report(root, "2026-10", "1.50")
    write_cur1_report(root, "2026-09", "4.00")  # the month before the migration: only CUR 1 has it

    with pytest.raises(LandingFileError) as excinfo:
        load(cloud_bill, warehouse, root)
    message = str(excinfo.value)
    assert "billing period 2026-10 is delivered twice" in message
    assert "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json" in message and cur1_october in message
    # September loaded once; October not at all (neither copy), so nothing is counted twice
    assert warehouse.execute("select billing_period, bill_format, sum(line_item_unblended_cost) "
                             "from raw.cur_line_items group by all").fetchall() == [
        ("2026-09", "cur1", Decimal("4.000000000"))]

    # told which one to read, the folder loads October once
    load(cloud_bill, warehouse, root, format="cur2")
    assert totals(warehouse) == (2, Decimal("5.500000000"))


def test_two_sources_with_the_same_month_are_named_together(cloud_bill, warehouse, tmp_path):
    write_cur1_report(tmp_path / "legacy", "2026-10", "1.50")
    write_cur2_delivery(tmp_path / "new", "2026-10", "exec-1", [[cur2_row("1.50")]], "20261004T010000Z")
    load(cloud_bill, warehouse, tmp_path / "legacy", name="legacy")
    load(cloud_bill, warehouse, tmp_path / "new", name="new")

    errors = cur_periods_in_two_sources(warehouse, ["legacy", "new"])
    assert [str(e) for e in errors] == [
        f"bill sources: billing account {PAYER}, period 2026-10 is delivered by 2 sources: legacy (cur1, "
        "20261001-20261101/cur-Manifest.json); new (cur2, metadata/BILLING_PERIOD=2026-10/exp-Manifest.json); "
        "keep one export per account and period"]
    # a source no longer configured does not count
    assert cur_periods_in_two_sources(warehouse, ["new"]) == []


@pytest.mark.slow
def test_a_run_with_both_exports_as_two_sources_stops_before_the_ledger(tmp_path):
    landing = tmp_path / "landing"
    write_cur2_delivery(landing / "new", "2026-10", "exec-1", [[cur2_row("1.50")]], "20261004T010000Z")
    config = write_config(tmp_path, "{uri: landing/new, name: new}")
    assert run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 2), raise_on_error=False).success
    ledger = "select usage_date, sum(amount_usd) from marts.cost_ledger group by 1"
    assert query(tmp_path, ledger) == [(date(2026, 10, 2), Decimal("1.500000000"))]

    # the legacy CUR 1 export of the same month is added as a second source
    write_cur1_report(landing / "legacy", "2026-10", "1.50")
    # (another file: a process parses each config path once)
    both = config.with_name("unitcost-both.yaml")
    both.write_text(config.read_text().replace("  cur: {uri: landing/new, name: new}",
                                               "  cur: [{uri: landing/new, name: new}, {uri: landing/legacy, name: legacy}]"))
    result = run_pipeline(str(both), date(2026, 10, 2), date(2026, 10, 2), raise_on_error=False)
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["cloud_bill"]
    assert "period 2026-10 is delivered by 2 sources: legacy (cur1" in str(failures[0].event_specific_data.error)
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "unitcost_dbt_models" not in started and "marts_copy" not in started
    assert query(tmp_path, ledger) == [(date(2026, 10, 2), Decimal("1.500000000"))]
