"""The cloud bill loader (dagster_project/defs/cloud_bill/loading.py, lib/bill_deliveries.py) against a real DuckDB file: restatements
replace a period atomically, stale and unlisted files are ignored, FOCUS accounts are independent units, and bad
input fails with the file named while the previous delivery stays in place."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import os
import shutil
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project.lib.bill_deliveries import ensure_bill_tables
from dagster_project.lib.config import SourceConfig
from ingest.errors import LandingFileError

NANO = Decimal("0.000000001")
PAYER = "111122223333"
LOG = logging.getLogger("test_bill_ingest")
TAGS = pa.map_(pa.string(), pa.string())
_MONEY = {"line_item_unblended_cost", "pricing_public_on_demand_cost", "line_item_usage_amount",
          "savings_plan_savings_plan_effective_cost", "reservation_effective_cost"}
_TIMES = {"line_item_usage_start_date", "line_item_usage_end_date", "bill_billing_period_start_date",
          "bill_billing_period_end_date"}


# ------------------------------------------------------------------------------------------------------------
# fixtures built in the tests (shared with test_bill_pipeline.py)
# ------------------------------------------------------------------------------------------------------------
def cur2_row(cost: str, start: str = "2026-10-02T05:00:00", hours: int = 1, **fields) -> dict:
    """One CUR 2.0 line item; ``start`` is UTC, the row lasts ``hours``."""
    begin = datetime.fromisoformat(start)
    return {
        "bill_payer_account_id": PAYER,
        "bill_billing_period_start_date": begin.replace(day=1, hour=0),
        "bill_billing_period_end_date": (begin.replace(day=1, hour=0) + timedelta(days=32)).replace(day=1),
        "identity_line_item_id": f"li-{cost}-{start}",
        "line_item_line_item_type": "Usage",
        "line_item_usage_start_date": begin,
        "line_item_usage_end_date": begin + timedelta(hours=hours),
        "line_item_product_code": "AmazonS3",
        "line_item_usage_type": "TimedStorage-ByteHrs",
        "line_item_operation": "StandardStorage",
        "line_item_usage_amount": 1.0,
        "line_item_currency_code": "USD",
        "line_item_unblended_cost": float(cost),
        "pricing_public_on_demand_cost": float(cost),
        "resource_tags": [("user_tenant", "acme")],
        **fields,
    }


def cur2_parquet(rows: list[dict]) -> bytes:
    """Rows as Data Exports writes them: DOUBLE costs, naive UTC timestamps, a MAP of tags."""
    names = list(dict.fromkeys(k for r in rows for k in r))
    columns = {}
    for name in names:
        values = [r.get(name) for r in rows]
        if name == "resource_tags":
            columns[name] = pa.array(values, TAGS)
        elif name in _TIMES:
            columns[name] = pa.array(values, pa.timestamp("ms"))
        elif name in _MONEY:
            columns[name] = pa.array(values, pa.float64())
        else:
            columns[name] = pa.array(values, pa.string())
    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


def put(root: Path, key: str, body: bytes | str) -> Path:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body.encode() if isinstance(body, str) else body)
    return path


def write_cur2_delivery(root: Path, period: str, execution_id: str, files: list[list[dict]], stamp: str,
                        unlisted: list[dict] | None = None) -> list[str]:
    """A create-new export execution: its own data folder, and the period's manifest (overwritten) naming it."""
    folder = f"data/BILLING_PERIOD={period}/{stamp}-{execution_id}"
    keys = []
    for i, rows in enumerate(files, start=1):
        keys.append(f"{folder}/exp-{i:05d}.snappy.parquet")
        put(root, keys[-1], cur2_parquet(rows))
    if unlisted:
        put(root, f"{folder}/exp-{len(files) + 1:05d}.snappy.parquet", cur2_parquet(unlisted))
    manifest = {
        "executionId": execution_id,
        "exportName": "exp",
        "billingPeriod": {"start": f"{period}-01T00:00:00.000Z"},
        "dataFiles": [f"s3://bucket/exports/exp/{k}" for k in keys],
    }
    put(root, f"metadata/BILLING_PERIOD={period}/exp-Manifest.json", json.dumps(manifest))
    return keys


FOCUS_HEADER = ["BillingAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd", "ChargeCategory",
                "ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "EffectiveCost", "ListCost", "ProviderName",
                "ServiceName", "ResourceId", "ConsumedQuantity", "Tags"]


def focus_csv(rows: list[dict], header: list[str] = FOCUS_HEADER) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "NULL") for k in header})
    return out.getvalue()


def focus_row(account: str, cost: str, day: str = "2026-10-02", currency: str = "USD", **fields) -> dict:
    return {
        "BillingAccountId": account, "BillingCurrency": currency, "BillingPeriodStart": "2026-10-01 00:00:00",
        "BillingPeriodEnd": "2026-11-01 00:00:00", "ChargeCategory": "Usage",
        "ChargePeriodStart": f"{day} 00:00:00", "ChargePeriodEnd": f"{day} 01:00:00", "BilledCost": cost,
        "EffectiveCost": cost, "ListCost": cost, "ProviderName": "Microsoft", "ServiceName": "Virtual Machines",
        "ResourceId": "/subscriptions/s/vm1", "ConsumedQuantity": "1", "Tags": '{"tenant": "acme"}', **fields,
    }


@pytest.fixture(scope="module")
def cloud_bill():
    """The bill loader module (load_bill_source)."""
    from dagster_project.defs.cloud_bill import loading

    return loading


@pytest.fixture
def warehouse(tmp_path, cloud_bill):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_bill_tables(con)
    yield con
    con.close()


def load(cloud_bill, con, uri, run_id="run-1", through=None, **config):
    source = SourceConfig(kind="cur", uri=str(uri), name=config.pop("name", "cur"), **config)
    return cloud_bill.load_bill_source(con, source, "USD", run_id, LOG, through)


def totals(con, table="cur_line_items", cost="line_item_unblended_cost"):
    return con.execute(f"select count(*), coalesce(sum({cost}), 0) from raw.{table}").fetchone()


def snapshot(con, table):
    return sorted(con.execute(f"select * from raw.{table}").fetchall(), key=repr)


# ------------------------------------------------------------------------------------------------------------
# restatements
# ------------------------------------------------------------------------------------------------------------
def test_restated_month_replaces_previous_delivery(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    first = [cur2_row("1.50"), cur2_row("2.25", "2026-10-03T00:00:00")]
    write_cur2_delivery(root, "2026-10", "exec-1", [first], "20261004T010000Z")
    load(cloud_bill, warehouse, root, run_id="run-1")
    assert totals(warehouse) == (2, Decimal("3.75"))

    # the restatement: every row again, one amount corrected, and a credit added after month end
    second = [cur2_row("1.50"), cur2_row("2.00", "2026-10-03T00:00:00"),
              cur2_row("-0.40", "2026-10-02T00:00:00", hours=24, line_item_line_item_type="Credit")]
    write_cur2_delivery(root, "2026-10", "exec-2", [second[:2], second[2:]], "20261105T010000Z",
                        unlisted=[cur2_row("9999")])
    records = load(cloud_bill, warehouse, root, run_id="run-2")

    assert totals(warehouse) == (3, Decimal("3.10"))  # the second delivery alone: 1.50 + 2.00 - 0.40
    assert [(r["delivery_id"], r["row_count"], r["run_id"]) for r in records] == [("exec-2", 3, "run-2")]
    assert {r[0] for r in warehouse.execute("select distinct delivery_id from raw.cur_line_items").fetchall()} == {
        "exec-2"}
    row = warehouse.execute("select delivery_id, run_id, first_usage_date, last_usage_date, checks_passed "
                            "from raw.bill_deliveries").fetchall()
    assert row == [("exec-2", "run-2", datetime(2026, 10, 1).date(), datetime(2026, 10, 31).date(), None)]


def test_unchanged_delivery_is_not_reloaded_but_a_rewritten_file_is(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    keys = write_cur2_delivery(root, "2026-10", "exec-1", [[cur2_row("1.00")]], "20261004T010000Z")
    assert load(cloud_bill, warehouse, root, run_id="run-1")
    assert load(cloud_bill, warehouse, root, run_id="run-2") == []
    # an overwrite-mode export rewrites its file under the same manifest ids: the file fingerprint changes
    path = root / keys[0]
    put(root, keys[0], cur2_parquet([cur2_row("4.00")]))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert [r["run_id"] for r in load(cloud_bill, warehouse, root, run_id="run-3")] == ["run-3"]
    assert totals(warehouse) == (1, Decimal("4.00"))


def test_every_billing_period_is_checked_not_only_the_runs(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    write_cur2_delivery(root, "2026-09", "sep-1", [[cur2_row("5.00", "2026-09-10T00:00:00")]], "20261001T000000Z")
    write_cur2_delivery(root, "2026-10", "oct-1", [[cur2_row("1.00")]], "20261004T000000Z")
    assert sorted(r["billing_period"] for r in load(cloud_bill, warehouse, root)) == ["2026-09", "2026-10"]
    # September is restated in November: the next run reloads it and leaves October alone
    write_cur2_delivery(root, "2026-09", "sep-2", [[cur2_row("4.50", "2026-09-10T00:00:00")]], "20261110T000000Z")
    assert [(r["billing_period"], r["delivery_id"]) for r in load(cloud_bill, warehouse, root, run_id="r2")] == [
        ("2026-09", "sep-2")]
    assert totals(warehouse) == (2, Decimal("5.50"))


def test_a_period_after_the_runs_last_day_is_left_to_the_runs_of_its_days(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    write_cur2_delivery(root, "2026-09", "sep-1", [[cur2_row("5.00", "2026-09-10T00:00:00")]], "20261001T000000Z")
    write_cur2_delivery(root, "2026-10", "oct-1", [[cur2_row("1.00")]], "20261004T000000Z")
    # a backfill of September, run once October's bill is there too, loads September only
    assert [r["billing_period"] for r in load(cloud_bill, warehouse, root, through=date(2026, 9, 30))] == ["2026-09"]
    assert totals(warehouse) == (1, Decimal("5.00"))
    # the run of October 1st loads October, and finds September unchanged
    assert [r["billing_period"] for r in load(cloud_bill, warehouse, root, run_id="r2",
                                              through=date(2026, 10, 1))] == ["2026-10"]
    assert totals(warehouse) == (2, Decimal("6.00"))


def test_a_focus_folder_loads_every_period_its_files_hold_whatever_the_runs_last_day(cloud_bill, warehouse,
                                                                                       tmp_path):
    # a file is scanned for its periods once (then known by its fingerprint): a period left out would be lost
    root = tmp_path / "focus"
    november = {"BillingPeriodStart": "2026-11-01 00:00:00", "BillingPeriodEnd": "2026-12-01 00:00:00"}
    put(root, "export.csv", focus_csv([focus_row("ba", "1.00"), focus_row("ba", "7.00", "2026-11-02", **november)]))
    first = load(cloud_bill, warehouse, root, format="focus", through=date(2026, 10, 31))
    assert sorted((r["billing_period"], r["row_count"]) for r in first) == [("2026-10", 1), ("2026-11", 1)]
    assert totals(warehouse, "focus_line_items", "billed_cost") == (2, Decimal("8.00"))


def test_stale_cur1_assembly_and_unlisted_file_are_ignored(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "report"
    header = ("identity/LineItemId,bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,"
              "lineItem/UsageEndDate,lineItem/UnblendedCost,lineItem/CurrencyCode")

    def report(lines):
        return gzip.compress(("\n".join([header, *lines]) + "\n").encode())

    folder = "20261001-20261101"
    hour = "2026-10-01T00:00:00Z,2026-10-01T01:00:00Z"
    put(root, f"{folder}/asm-old/cur-1.csv.gz", report([f"z,444,Usage,{hour},500,USD"]))
    put(root, f"{folder}/asm-old/cur-Manifest.json", json.dumps(
        {"assemblyId": "asm-old", "reportKeys": [f"p/cur/{folder}/asm-old/cur-1.csv.gz"]}))
    put(root, f"{folder}/asm-new/cur-1.csv.gz", report([f"a,444,Usage,{hour},1.25,USD"]))
    put(root, f"{folder}/asm-new/cur-2.csv.gz", report([f"x,444,Usage,{hour},77,USD"]))  # listed by no manifest
    manifest = {"assemblyId": "asm-new", "billingPeriod": {"start": "20261001T000000.000Z"},
                "reportKeys": [f"p/cur/{folder}/asm-new/cur-1.csv.gz"]}
    put(root, f"{folder}/cur-Manifest.json", json.dumps(manifest))
    put(root, f"{folder}/asm-new/cur-Manifest.json", json.dumps(manifest))

    records = load(cloud_bill, warehouse, root)

    assert [(r["bill_format"], r["delivery_id"], r["billing_account_id"]) for r in records] == [
        ("cur1", "asm-new", "444")]
    assert warehouse.execute("select identity_line_item_id, line_item_unblended_cost from raw.cur_line_items"
                             ).fetchall() == [("a", Decimal("1.250000000"))]


def test_a_broken_period_does_not_stop_the_others(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    write_cur2_delivery(root, "2026-10", "oct-1", [[cur2_row("1.00")]], "20261004T000000Z")
    put(root, "metadata/BILLING_PERIOD=2026-09/exp-Manifest.json", json.dumps(
        {"executionId": "sep", "dataFiles": ["s3://b/exp/data/BILLING_PERIOD=2026-09/gone.parquet"]}))
    with pytest.raises(LandingFileError, match="gone.parquet"):
        load(cloud_bill, warehouse, root)
    assert totals(warehouse) == (1, Decimal("1.00"))  # October loaded all the same


# ------------------------------------------------------------------------------------------------------------
# FOCUS
# ------------------------------------------------------------------------------------------------------------
def test_new_focus_delivery_for_one_account_leaves_the_other_untouched(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "focus"
    put(root, "azure/2026-10/part-1.csv", focus_csv([focus_row("azure-ba", "1.00"), focus_row("azure-ba", "2.00")]))
    put(root, "oci/2026-10/part-1.csv", focus_csv([focus_row("oci-ba", "10.00", ProviderName="Oracle")]))
    first = load(cloud_bill, warehouse, root, format="focus")
    assert sorted((r["billing_account_id"], r["row_count"]) for r in first) == [("azure-ba", 2), ("oci-ba", 1)]
    oci_rows = warehouse.execute("select * from raw.focus_line_items where billing_account_id = 'oci-ba'").fetchall()
    oci_record = warehouse.execute("select * from raw.bill_deliveries where billing_account_id = 'oci-ba'").fetchall()

    put(root, "azure/2026-10/part-2.csv", focus_csv([focus_row("azure-ba", "0.50", "2026-10-03")]))
    second = load(cloud_bill, warehouse, root, run_id="run-2", format="focus")

    assert [(r["billing_account_id"], r["row_count"]) for r in second] == [("azure-ba", 3)]
    assert warehouse.execute(
        "select * from raw.focus_line_items where billing_account_id = 'oci-ba'").fetchall() == oci_rows
    assert warehouse.execute(
        "select * from raw.bill_deliveries where billing_account_id = 'oci-ba'").fetchall() == oci_record
    assert totals(warehouse, "focus_line_items", "billed_cost") == (4, Decimal("13.50"))
    assert load(cloud_bill, warehouse, root, run_id="run-3", format="focus") == []


def test_focus_folder_is_recognised_by_its_columns_without_a_format(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "focus"
    put(root, "export.csv", focus_csv([focus_row("ba", "1.00")]))
    put(root, "README.md", "not a bill")
    assert [r["bill_format"] for r in load(cloud_bill, warehouse, root)] == ["focus"]


def test_unknown_extra_columns_are_loaded_and_kept(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "focus"
    header = [*FOCUS_HEADER, "x_Discounts", "MysteryColumn"]
    put(root, "export.csv", focus_csv([focus_row("ba", "1.00", x_Discounts='{"edp": -0.1}', MysteryColumn="42")],
                                      header))
    load(cloud_bill, warehouse, root, format="focus")
    (extra,) = warehouse.execute("select extra_columns from raw.focus_line_items").fetchone()
    assert json.loads(extra) == {"x_Discounts": '{"edp": -0.1}', "MysteryColumn": "42"}
    # a CUR column outside AWS's CUR 2.0 dictionary loads and is kept in extra_columns; a dictionary column the
    # raw table does not model (product_comment) is skipped, not packed
    cur_root = tmp_path / "cur"
    write_cur2_delivery(cur_root, "2026-10", "e1", [[cur2_row("1.00", line_item_brand_new_column="x",
                                                              product_comment="known to AWS")]], "20261004T0Z")
    assert load(cloud_bill, warehouse, cur_root, name="cur2")[0]["row_count"] == 1
    (cur_extra,) = warehouse.execute("select extra_columns from raw.cur_line_items").fetchone()
    assert json.loads(cur_extra) == {"line_item_brand_new_column": "x"}


# ------------------------------------------------------------------------------------------------------------
# bad input: an error naming the file and the problem, the previous delivery intact
# ------------------------------------------------------------------------------------------------------------
@pytest.fixture
def loaded_export(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    write_cur2_delivery(root, "2026-10", "exec-1", [[cur2_row("1.50")], [cur2_row("2.25")]], "20261004T000000Z")
    load(cloud_bill, warehouse, root)
    before = (snapshot(warehouse, "cur_line_items"), snapshot(warehouse, "bill_deliveries"))
    return root, before


def _intact(warehouse, before):
    assert (snapshot(warehouse, "cur_line_items"), snapshot(warehouse, "bill_deliveries")) == before


def test_truncated_gzip_names_the_file_and_keeps_the_previous_delivery(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "report"
    header = ("bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
              "lineItem/UnblendedCost,lineItem/CurrencyCode")
    line = "444,Usage,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,1.5,USD\n"
    body = gzip.compress((header + "\n" + line * 500).encode())

    def deliver(assembly, data):
        key = f"20261001-20261101/{assembly}/cur-1.csv.gz"
        put(root, key, data)
        put(root, "20261001-20261101/cur-Manifest.json", json.dumps(
            {"assemblyId": assembly, "reportKeys": [f"p/r/{key}"]}))
        return key

    deliver("asm-1", body)
    load(cloud_bill, warehouse, root)
    before = (snapshot(warehouse, "cur_line_items"), snapshot(warehouse, "bill_deliveries"))
    key = deliver("asm-2", body[: len(body) // 2])
    with pytest.raises(LandingFileError) as excinfo:
        load(cloud_bill, warehouse, root, run_id="run-2")
    assert excinfo.value.path == str(root / key)
    assert "decompress" in str(excinfo.value)
    _intact(warehouse, before)


def test_manifest_naming_a_missing_file_keeps_the_previous_delivery(cloud_bill, warehouse, loaded_export):
    root, before = loaded_export
    keys = write_cur2_delivery(root, "2026-10", "exec-2", [[cur2_row("9.00")], [cur2_row("9.00")]], "20261005T0Z")
    (root / keys[1]).unlink()
    with pytest.raises(LandingFileError) as excinfo:
        load(cloud_bill, warehouse, root, run_id="run-2")
    assert excinfo.value.path.endswith("metadata/BILLING_PERIOD=2026-10/exp-Manifest.json")
    assert keys[1] in str(excinfo.value)
    _intact(warehouse, before)


def test_missing_required_column_in_a_later_file_rolls_the_whole_period_back(cloud_bill, warehouse, loaded_export):
    root, before = loaded_export
    broken = [{k: v for k, v in cur2_row("3.00").items() if k != "line_item_unblended_cost"}]
    keys = write_cur2_delivery(root, "2026-10", "exec-2", [[cur2_row("9.00")], broken], "20261005T000000Z")
    with pytest.raises(LandingFileError) as excinfo:
        load(cloud_bill, warehouse, root, run_id="run-2")
    assert excinfo.value.path == str(root / keys[1])  # the first file was already inserted, then rolled back
    assert "line_item_unblended_cost" in str(excinfo.value)
    _intact(warehouse, before)


def test_missing_required_focus_column_is_named(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "focus"
    put(root, "export.csv", focus_csv([focus_row("ba", "1.00")], [c for c in FOCUS_HEADER if c != "EffectiveCost"]))
    with pytest.raises(LandingFileError, match="EffectiveCost"):
        load(cloud_bill, warehouse, root, format="focus")
    assert totals(warehouse, "focus_line_items", "billed_cost") == (0, 0)


def test_bill_in_another_currency_is_refused_naming_it(cloud_bill, warehouse, loaded_export, tmp_path):
    root, before = loaded_export
    write_cur2_delivery(root, "2026-10", "exec-eur", [[cur2_row("9.00", line_item_currency_code="EUR")]],
                        "20261005T000000Z")
    with pytest.raises(LandingFileError, match="bill in currency EUR; unitcost is configured for USD"):
        load(cloud_bill, warehouse, root, run_id="run-2")
    _intact(warehouse, before)

    focus_root = tmp_path / "focus"
    put(focus_root, "export.csv", focus_csv([focus_row("ba", "1.00", currency="GBP")]))
    with pytest.raises(LandingFileError, match="currency GBP"):
        load(cloud_bill, warehouse, focus_root, name="focus", format="focus")
    assert totals(warehouse, "focus_line_items", "billed_cost") == (0, 0)


def test_two_currencies_in_one_period_pass_ingest_for_the_blocking_check(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    write_cur2_delivery(root, "2026-10", "e1", [[cur2_row("1.00"), cur2_row("2.00", line_item_currency_code="EUR")]],
                        "20261004T000000Z")
    assert load(cloud_bill, warehouse, root)[0]["row_count"] == 2


# ------------------------------------------------------------------------------------------------------------
# the real reference files
# ------------------------------------------------------------------------------------------------------------
def _hand_sum(values) -> Decimal:
    return sum((Decimal(v).quantize(NANO, ROUND_HALF_UP) for v in values), Decimal(0))


def test_reference_cur1_file_loads_with_hand_summed_totals(cloud_bill, warehouse, reference_data):
    path = reference_data / "cur" / "cur1_legacy_csv_anonymized_aws_2023-11_300rows.csv"
    rows = list(csv.DictReader(path.open(newline="")))

    records = load(cloud_bill, warehouse, path, format="cur1", billing_period="2023-11")

    assert [(r["billing_period"], r["row_count"]) for r in records] == [("2023-11", 300)]
    billed = _hand_sum(r["lineItem/UnblendedCost"] for r in rows)
    assert totals(warehouse) == (300, billed)
    # effective cost: every row is Usage or Tax, so the CID CASE takes its ELSE branch (= unblended)
    assert {r["lineItem/LineItemType"] for r in rows} == {"Usage", "Tax"}


def test_reference_focus_file_loads_with_hand_summed_totals(cloud_bill, warehouse, reference_data, tmp_path):
    folder = tmp_path / "focus"
    folder.mkdir()
    shutil.copy(reference_data / "focus" / "focus_1_0_sample_multicloud_300rows.csv", folder)
    rows = list(csv.DictReader((folder / "focus_1_0_sample_multicloud_300rows.csv").open(newline="")))

    records = load(cloud_bill, warehouse, folder, format="focus")

    assert sorted((r["billing_account_id"], r["billing_period"], r["row_count"]) for r in records) == [
        ("/providers/Microsoft.Billing/billingAccounts/8611537", "2024-09", 51),
        ("1234567890123", "2024-09", 242),
        ("20209880", "2024-09", 6),
        ("20209880", "2024-10", 1),  # the Oracle charge of Sep 30 billed in October
    ]
    got = warehouse.execute("select count(*), sum(billed_cost), sum(effective_cost) from raw.focus_line_items"
                            ).fetchone()
    assert got == (300, _hand_sum(r["BilledCost"] for r in rows), _hand_sum(r["EffectiveCost"] for r in rows))


def test_focus_data_export_follows_its_manifest(cloud_bill, warehouse, tmp_path):
    """AWS delivers FOCUS through Data Exports too: the newest manifest decides, stale executions are ignored."""
    root = tmp_path / "focus-export"
    for execution, cost in (("20261004T000000Z-old", "5.00"), ("20261005T000000Z-new", "1.25")):
        put(root, f"data/BILLING_PERIOD=2026-10/{execution}/focus-00001.csv", focus_csv([focus_row("aws-ba", cost)]))
    put(root, "metadata/BILLING_PERIOD=2026-10/focus-Manifest.json", json.dumps({
        "executionId": "new", "billingPeriod": {"start": "2026-10-01T00:00:00.000Z"},
        "dataFiles": ["s3://b/focus/data/BILLING_PERIOD=2026-10/20261005T000000Z-new/focus-00001.csv"]}))
    records = load(cloud_bill, warehouse, root, format="focus")
    assert [(r["bill_format"], r["delivery_id"]) for r in records] == [("focus", "new")]
    assert totals(warehouse, "focus_line_items", "billed_cost") == (1, Decimal("1.25"))
