"""CUR 2.0 and CUR 1 ingest: manifest resolution, exact money, tags as JSON, lineage, S3 = folder."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

# one reader per delivery whatever its format (the Delivery says which)
from ingest.cloud_bill.cur import iter_delivery as iter_cur2_delivery
from ingest.cloud_bill.cur import read_bare_bill
from ingest.cloud_bill.cur import read_delivery as read_cur1_delivery
from ingest.cloud_bill.cur import read_delivery as read_cur2_delivery
from ingest.cloud_bill.cur1 import cur1_column_name, cur1_tag_key
from ingest.cloud_bill.cur2 import iter_cur2_file
from ingest.cloud_bill.deliveries import Delivery, find_cur1_deliveries, find_cur2_deliveries
from ingest.errors import LandingFileError
from ingest.landing import Landing
from ingest.schemas import CUR_LINE_ITEMS

NANO = Decimal("0.000000001")
UTC = timezone.utc
PAYER = "111122223333"
TAGS = pa.map_(pa.string(), pa.string())


# ------------------------------------------------------------------------------------------------------------
# fixtures written in the tests themselves
# ------------------------------------------------------------------------------------------------------------
def cur2_parquet(costs: list[float], tags: list | None = None, *, item_type: str = "Usage") -> bytes:
    """A small CUR 2.0 Parquet file as Data Exports writes it (naive timestamps, DOUBLE costs, MAP tags)."""
    n = len(costs)
    start = datetime(2026, 10, 1)
    table = pa.table(
        {
            "bill_bill_type": pa.array(["Anniversary"] * n),
            "bill_billing_period_start_date": pa.array([datetime(2026, 10, 1)] * n, pa.timestamp("ms")),
            "bill_billing_period_end_date": pa.array([datetime(2026, 11, 1)] * n, pa.timestamp("ms")),
            "bill_payer_account_id": pa.array([PAYER] * n),
            "bill_payer_account_name": pa.array(["payer"] * n),  # a CUR 2.0 column the raw table does not keep
            "identity_line_item_id": pa.array([f"id{i}" for i in range(n)]),
            "line_item_line_item_type": pa.array([item_type] * n),
            "line_item_usage_start_date": pa.array([start.replace(hour=i % 24) for i in range(n)], pa.timestamp("ms")),
            "line_item_usage_end_date": pa.array(
                [start.replace(hour=i % 24, minute=59) for i in range(n)], pa.timestamp("ms")
            ),
            "line_item_product_code": pa.array(["AmazonEC2"] * n),
            "line_item_operation": pa.array(["RunInstances"] * n),
            "line_item_resource_id": pa.array([f"i-{i:04d}" for i in range(n)]),
            "line_item_usage_amount": pa.array([1.0] * n),
            "line_item_currency_code": pa.array(["USD"] * n),
            "line_item_unblended_cost": pa.array(costs, pa.float64()),
            "pricing_public_on_demand_cost": pa.array([c * 2 for c in costs], pa.float64()),
            "product": pa.array([[("product_name", "Amazon EC2")]] * n, TAGS),
            "resource_tags": pa.array(tags if tags is not None else [[("user_tenant", "acme")]] * n, TAGS),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def put(root: Path, key: str, body: bytes | str) -> None:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body.encode() if isinstance(body, str) else body)


def cur2_manifest(execution_id: str, period: str, data_keys: list[str], prefix: str = "s3://bill/cur/exp/") -> str:
    """A Data Exports manifest: dataFiles carry the bucket and prefix the export was written to."""
    return json.dumps(
        {
            "executionId": execution_id,
            "exportName": "exp",
            "billingPeriod": {"start": f"{period}-01T00:00:00.000Z", "end": "…"},
            "dataFiles": [prefix + key for key in data_keys],
            "columns": [{"name": "line_item_unblended_cost", "type": "double"}],
        }
    )


def write_create_new_export(root: Path, top_level_is_newest: bool) -> None:
    """Two executions of one period, each with its own data folder, plus a file no manifest lists."""
    old = "data/BILLING_PERIOD=2026-10/20261014T031522Z-exec-old"
    new = "data/BILLING_PERIOD=2026-10/20261015T031522Z-exec-new"
    put(root, f"{old}/exp-00001.snappy.parquet", cur2_parquet([100.0, 200.0]))
    put(root, f"{new}/exp-00001.snappy.parquet", cur2_parquet([1.5, 2.25]))
    put(root, f"{new}/exp-00002.snappy.parquet", cur2_parquet([0.25]))
    put(root, f"{new}/exp-00003.snappy.parquet", cur2_parquet([9999.0]))  # not in any manifest
    old_manifest = cur2_manifest("exec-old", "2026-10", [f"{old}/exp-00001.snappy.parquet"])
    new_manifest = cur2_manifest(
        "exec-new", "2026-10", [f"{new}/exp-00001.snappy.parquet", f"{new}/exp-00002.snappy.parquet"]
    )
    if top_level_is_newest:
        put(root, "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json", new_manifest)
        put(root, "metadata/BILLING_PERIOD=2026-10/20261014T031522Z-exec-old/exp-Manifest.json", old_manifest)
    else:
        put(root, "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json", old_manifest)
        put(root, "metadata/BILLING_PERIOD=2026-10/20261015T031522Z-exec-new/exp-Manifest.json", new_manifest)


# ------------------------------------------------------------------------------------------------------------
# CUR 2.0
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("top_level_is_newest", [True, False])
def test_newest_cur2_manifest_wins_and_unlisted_files_are_ignored(tmp_path, top_level_is_newest):
    write_create_new_export(tmp_path, top_level_is_newest)
    landing = Landing(str(tmp_path))

    (delivery,) = find_cur2_deliveries(landing)

    assert delivery.bill_format == "cur2"
    assert delivery.billing_period == "2026-10"
    assert delivery.delivery_id == "exec-new"
    assert delivery.name == "exp"
    assert delivery.data_keys == (
        "data/BILLING_PERIOD=2026-10/20261015T031522Z-exec-new/exp-00001.snappy.parquet",
        "data/BILLING_PERIOD=2026-10/20261015T031522Z-exec-new/exp-00002.snappy.parquet",
    )
    frame = read_cur2_delivery(landing, delivery, "cur")
    assert frame.height == 3
    assert frame["line_item_unblended_cost"].sum() == Decimal("4.000000000")  # 1.5 + 2.25 + 0.25, no 9999
    assert set(frame["delivery_id"]) == {"exec-new"}


def test_cur2_overwrite_layout_one_delivery_per_billing_period(tmp_path):
    for period in ("2026-10", "2026-09"):
        key = f"data/BILLING_PERIOD={period}/exp-00001.snappy.parquet"
        put(tmp_path, key, cur2_parquet([1.0]))
        manifest = cur2_manifest(f"x-{period}", period, [key])
        put(tmp_path, f"metadata/BILLING_PERIOD={period}/exp-Manifest.json", manifest)
    deliveries = find_cur2_deliveries(Landing(str(tmp_path)))
    assert [(d.billing_period, d.delivery_id, d.data_keys) for d in deliveries] == [
        ("2026-09", "x-2026-09", ("data/BILLING_PERIOD=2026-09/exp-00001.snappy.parquet",)),
        ("2026-10", "x-2026-10", ("data/BILLING_PERIOD=2026-10/exp-00001.snappy.parquet",)),
    ]


def test_cur2_iso_timestamp_execution_folders_order_by_time(tmp_path):
    # the form seen in real create-new exports: 2024-05-18T20:16:37.306Z-<uuid>
    early = "data/BILLING_PERIOD=2024-05/2024-05-18T20:16:37.306Z-bbbb/exp-00001.snappy.parquet"
    late = "data/BILLING_PERIOD=2024-05/2024-05-19T02:00:00.000Z-aaaa/exp-00001.snappy.parquet"
    put(tmp_path, early, cur2_parquet([1.0]))
    put(tmp_path, late, cur2_parquet([2.0]))
    put(tmp_path, "metadata/BILLING_PERIOD=2024-05/2024-05-18T20:16:37.306Z-bbbb/exp-Manifest.json",
        cur2_manifest("bbbb", "2024-05", [early]))
    put(tmp_path, "metadata/BILLING_PERIOD=2024-05/2024-05-19T02:00:00.000Z-aaaa/exp-Manifest.json",
        cur2_manifest("aaaa", "2024-05", [late]))
    (delivery,) = find_cur2_deliveries(Landing(str(tmp_path)))
    assert delivery.delivery_id == "aaaa"


def test_cur2_frame_has_exact_money_json_tags_utc_times_and_lineage(tmp_path):
    key = "data/BILLING_PERIOD=2026-10/exp-00001.snappy.parquet"
    tags = [
        [("user_tenant", "acme"), ("user_note", 'say "hi"\\ é')],
        [],
        None,
    ]
    put(tmp_path, key, cur2_parquet([0.3, 7.20216e-05, 1.0000000016], tags))
    put(tmp_path, "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json", cur2_manifest("e1", "2026-10", [key]))
    landing = Landing(str(tmp_path))
    (delivery,) = find_cur2_deliveries(landing)

    frame = read_cur2_delivery(landing, delivery, "cur-main")

    assert frame.schema == pl.Schema(CUR_LINE_ITEMS)
    # DOUBLE -> nearest DECIMAL(38, 9); 0.3 is 0.29999999999999998889... in binary
    assert frame["line_item_unblended_cost"].to_list() == [
        Decimal("0.300000000"),
        Decimal("0.000072022"),
        Decimal("1.000000002"),
    ]
    assert frame["pricing_public_on_demand_cost"][0] == Decimal("0.600000000")
    assert [json.loads(t) for t in frame["resource_tags"]] == [
        {"user_tenant": "acme", "user_note": 'say "hi"\\ é'},
        {},
        {},
    ]
    assert frame["line_item_usage_start_date"][1] == datetime(2026, 10, 1, 1, tzinfo=UTC)
    assert frame["bill_billing_period_start_date"][0] == datetime(2026, 10, 1, tzinfo=UTC)
    lineage = frame.select(
        "source_id", "bill_format", "billing_account_id", "billing_period", "delivery_id", "source_file"
    )
    assert lineage.unique().rows() == [("cur-main", "cur2", PAYER, "2026-10", "e1", key)]
    assert frame["line_item_resource_id"].to_list() == ["i-0000", "i-0001", "i-0002"]


def test_cur2_delivery_streams_one_frame_per_file(tmp_path):
    write_create_new_export(tmp_path, top_level_is_newest=True)
    landing = Landing(str(tmp_path))
    (delivery,) = find_cur2_deliveries(landing)
    frames = list(iter_cur2_delivery(landing, delivery, "cur"))
    assert [f.height for f in frames] == [2, 1]
    assert [f["source_file"][0] for f in frames] == list(delivery.data_keys)


def test_cur2_parquet_streams_in_bounded_batches_and_errors_name_the_row(tmp_path):
    put(tmp_path, "bill.parquet", cur2_parquet([1.0, 2.0, 3.0]))
    landing = Landing(str(tmp_path))
    frames = list(iter_cur2_file(landing, "bill.parquet", billing_period="2026-10", delivery_id="d", source_id="cur",
                                 batch_rows=2))
    assert [f.height for f in frames] == [2, 1]
    assert pl.concat(frames).equals(read_bare_bill(landing, "bill.parquet", "cur2", "2026-10", "cur").with_columns(
        pl.lit("d").alias("delivery_id")))
    table = pq.read_table(io.BytesIO(cur2_parquet([1.0, 2.0, 3.0])))
    starts = pa.array(["2026-10-01T00:00:00Z", "2026-10-01T01:00:00Z", "yesterday"])
    table = table.set_column(table.schema.get_field_index("line_item_usage_start_date"), "line_item_usage_start_date",
                             starts)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    put(tmp_path, "bad.parquet", sink.getvalue())
    with pytest.raises(LandingFileError, match="row 3, column line_item_usage_start_date: 'yesterday'"):
        list(iter_cur2_file(landing, "bad.parquet", billing_period="2026-10", delivery_id="d", source_id="cur",
                            batch_rows=2))


def test_cur2_manifest_listing_a_missing_file_is_an_error_naming_the_manifest(tmp_path):
    put(tmp_path, "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json",
        cur2_manifest("e1", "2026-10", ["data/BILLING_PERIOD=2026-10/exp-00001.snappy.parquet"]))
    landing = Landing(str(tmp_path))
    with pytest.raises(LandingFileError) as excinfo:
        find_cur2_deliveries(landing)
    assert excinfo.value.path == landing.describe("metadata/BILLING_PERIOD=2026-10/exp-Manifest.json")
    assert "exp-00001.snappy.parquet" in str(excinfo.value)


def test_broken_periods_can_be_collected_instead_of_raised(tmp_path):
    write_create_new_export(tmp_path, top_level_is_newest=True)
    put(tmp_path, "metadata/BILLING_PERIOD=2026-09/exp-Manifest.json",
        cur2_manifest("e9", "2026-09", ["data/BILLING_PERIOD=2026-09/missing.snappy.parquet"]))
    errors: list[LandingFileError] = []
    deliveries = find_cur2_deliveries(Landing(str(tmp_path)), errors)
    assert [d.billing_period for d in deliveries] == ["2026-10"]
    assert len(errors) == 1 and "missing.snappy.parquet" in str(errors[0])


def test_cur2_manifest_for_another_period_is_an_error(tmp_path):
    key = "data/BILLING_PERIOD=2026-10/exp-00001.snappy.parquet"
    put(tmp_path, key, cur2_parquet([1.0]))
    put(tmp_path, "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json", cur2_manifest("e1", "2026-09", [key]))
    with pytest.raises(LandingFileError, match="does not match its folder's period 2026-10"):
        find_cur2_deliveries(Landing(str(tmp_path)))


def test_cur2_manifest_that_is_not_json_names_the_file(tmp_path):
    put(tmp_path, "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json", "{not json")
    landing = Landing(str(tmp_path))
    with pytest.raises(LandingFileError) as excinfo:
        find_cur2_deliveries(landing)
    assert excinfo.value.path.endswith("metadata/BILLING_PERIOD=2026-10/exp-Manifest.json")


def test_cur2_csv_gz_money_is_read_from_text_without_floats(tmp_path):
    text = (
        "bill_payer_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,"
        "line_item_unblended_cost,savings_plan_savings_plan_effective_cost,resource_tags,line_item_usage_amount\n"
        '999988887777,Usage,2026-10-01T00:00:00.000Z,2026-10-01T01:00:00.000Z,0.0000000015,12345678.1234567894,'
        '"{""user_tenant"":""acme""}",2.5\n'
        "999988887777,SavingsPlanCoveredUsage,2026-10-01T01:00:00Z,2026-10-01T02:00:00Z,-0.0000000015,5.2E-9,,\n"
    )
    key = "data/BILLING_PERIOD=2026-10/exp-00001.csv.gz"
    put(tmp_path, key, gzip.compress(text.encode()))
    put(tmp_path, "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json", cur2_manifest("e1", "2026-10", [key]))
    landing = Landing(str(tmp_path))
    frame = read_cur2_delivery(landing, find_cur2_deliveries(landing)[0], "cur")
    # half away from zero at the 9th decimal, computed from the decimal text
    assert frame["line_item_unblended_cost"].to_list() == [Decimal("0.000000002"), Decimal("-0.000000002")]
    assert frame["savings_plan_savings_plan_effective_cost"].to_list() == [
        Decimal("12345678.123456789"),
        Decimal("0.000000005"),
    ]
    assert frame["resource_tags"].to_list() == ['{"user_tenant":"acme"}', "{}"]
    assert frame["line_item_usage_amount"].to_list() == [2.5, None]
    assert frame["billing_account_id"].to_list() == ["999988887777"] * 2


def test_cur2_file_without_cur_columns_is_refused(tmp_path):
    sink = io.BytesIO()
    pq.write_table(pa.table({"foo": [1]}), sink)
    put(tmp_path, "bill.parquet", sink.getvalue())
    landing = Landing(str(tmp_path))
    with pytest.raises(LandingFileError) as excinfo:
        read_bare_bill(landing, "bill.parquet", "cur2", "2026-10", "cur")
    assert excinfo.value.path == landing.describe("bill.parquet")
    assert "bill_payer_account_id" in str(excinfo.value)


def test_cur2_corrupt_parquet_names_the_file(tmp_path):
    put(tmp_path, "bill.parquet", b"PAR1 this is not parquet")
    landing = Landing(str(tmp_path))
    with pytest.raises(LandingFileError, match="not a readable Parquet file") as excinfo:
        read_bare_bill(landing, "bill.parquet", "cur2", "2026-10", "cur")
    assert excinfo.value.path == landing.describe("bill.parquet")


def test_bare_cur2_file_loads_with_a_content_hash_as_delivery_id(tmp_path):
    put(tmp_path, "bill.snappy.parquet", cur2_parquet([1.25, 2.5]))
    landing = Landing(str(tmp_path))
    frame = read_bare_bill(landing, "bill.snappy.parquet", "cur2", "2026-10", "cur")
    again = read_bare_bill(landing, "bill.snappy.parquet", "cur2", "2026-10", "cur")
    assert frame["line_item_unblended_cost"].sum() == Decimal("3.750000000")
    assert frame["delivery_id"][0].startswith("sha256:")
    assert frame.equals(again)


def test_bare_bill_arguments_are_checked(tmp_path):
    put(tmp_path, "bill.csv", "x\n")
    landing = Landing(str(tmp_path))
    with pytest.raises(ValueError, match="ingest.cloud_bill.focus"):  # FOCUS rows land in raw.focus_line_items
        read_bare_bill(landing, "bill.csv", "focus", "2026-10", "cur")
    with pytest.raises(ValueError, match="YYYY-MM"):
        read_bare_bill(landing, "bill.csv", "cur1", "2026-13", "cur")
    with pytest.raises(ValueError, match="format"):
        read_bare_bill(landing, "bill.csv", "cur3", "2026-10", "cur")


def test_cur2_from_s3_equals_cur2_from_a_folder(tmp_path, s3_bucket):
    endpoint, bucket, client = s3_bucket
    write_create_new_export(tmp_path, top_level_is_newest=False)
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        key = f"exports/exp/{path.relative_to(tmp_path).as_posix()}"
        client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
    folder = Landing(str(tmp_path))
    s3 = Landing(f"s3://{bucket}/exports/exp", endpoint_url=endpoint)

    assert s3.list() == folder.list()
    folder_deliveries = find_cur2_deliveries(folder)
    s3_deliveries = find_cur2_deliveries(s3)
    assert s3_deliveries == folder_deliveries
    from_folder = read_cur2_delivery(folder, folder_deliveries[0], "cur")
    from_s3 = read_cur2_delivery(s3, s3_deliveries[0], "cur")
    assert from_s3.height == 3
    assert from_s3.equals(from_folder)


# ------------------------------------------------------------------------------------------------------------
# CUR 1
# ------------------------------------------------------------------------------------------------------------
def test_reference_cur1_csv_loads_with_exact_money(reference_data):
    path = reference_data / "cur" / "cur1_legacy_csv_anonymized_aws_2023-11_300rows.csv"
    landing = Landing(str(path.parent))

    frame = read_bare_bill(landing, path.name, "cur1", "2023-11", "cur")

    rows = list(csv.DictReader(path.open(newline="")))
    assert frame.height == len(rows) == 300
    assert frame.schema == pl.Schema(CUR_LINE_ITEMS)
    expected_billed = sum(Decimal(r["lineItem/UnblendedCost"]).quantize(NANO, ROUND_HALF_UP) for r in rows)
    expected_list = sum(Decimal(r["pricing/publicOnDemandCost"]).quantize(NANO, ROUND_HALF_UP) for r in rows)
    assert frame["line_item_unblended_cost"].sum() == expected_billed == Decimal("0.418268736")
    assert frame["pricing_public_on_demand_cost"].sum() == expected_list
    # rounding each row costs at most half a nano-dollar per row against the unrounded text
    exact = sum(Decimal(r["lineItem/UnblendedCost"]) for r in rows)
    assert abs(frame["line_item_unblended_cost"].sum() - exact) <= Decimal("0.0000000005") * 300

    counts = dict(frame.group_by("line_item_line_item_type").len().iter_rows())
    assert counts == {"Usage": 288, "Tax": 12}
    assert frame.filter(pl.col("line_item_product_code") == "AmazonS3").height == 133
    # no resource ids and no tags in this export: it still loads
    assert frame["line_item_resource_id"].null_count() == 300
    assert set(frame["resource_tags"]) == {"{}"}
    assert set(frame["billing_account_id"]) == {"123412340534"}
    assert set(frame["line_item_currency_code"]) == {"USD"}

    efs = frame.row(9, named=True)  # lineItem/UnblendedCost 7.20216E-5, hand-checked in the file
    assert efs["identity_line_item_id"] == "ca2bcmkq43abcdabcdabcdabcdabcdabcdabcdabc5qldfcvm2q"
    assert efs["line_item_product_code"] == "AmazonEFS"
    assert efs["line_item_usage_type"] == "USE2-TimedStorage-ByteHrs"
    assert efs["line_item_unblended_cost"] == Decimal("0.000072022")
    assert efs["line_item_usage_amount"] == pytest.approx(2.40072e-4)
    assert efs["product_region_code"] == "us-east-2"
    assert efs["pricing_unit"] == "GB-Mo"
    assert efs["line_item_usage_start_date"] == datetime(2023, 11, 1, tzinfo=UTC)
    assert efs["line_item_usage_end_date"] == datetime(2023, 11, 2, tzinfo=UTC)
    assert efs["bill_billing_period_end_date"] == datetime(2023, 12, 1, tzinfo=UTC)
    assert frame.row(10, named=True)["line_item_unblended_cost"] == Decimal("0.070000000")  # a Tax row


CUR1_HEADER = (
    "identity/LineItemId,bill/PayerAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
    "lineItem/ResourceId,lineItem/UnblendedCost,savingsPlan/SavingsPlanARN,product/region,"
    "resourceTags/user:team,resourceTags/user:Cost Center,resourceTags/aws:createdBy"
)


def cur1_csv_gz(lines: list[str]) -> bytes:
    return gzip.compress(("\n".join([CUR1_HEADER, *lines]) + "\n").encode())


def write_cur1_report(root: Path) -> None:
    folder = "20261001-20261101"
    new = [
        "a,444455556666,Usage,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,i-1,0.0000000015,,us-east-1,ml,,",
        'b,444455556666,SavingsPlanCoveredUsage,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,i-2,-0.0000000015,'
        'arn:aws:savingsplans::1:savingsplan/x,us-east-1,,"R&D ""core""",alice',
    ]
    put(root, f"{folder}/asm-new/cur-1.csv.gz", cur1_csv_gz(new[:1]))
    put(root, f"{folder}/asm-new/cur-2.csv.gz", cur1_csv_gz(new[1:] + [
        "c,444455556666,Tax,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,,1.5E-3,,,,,",
    ]))
    put(root, f"{folder}/asm-old/cur-1.csv.gz", cur1_csv_gz(["z,444455556666,Usage,2026-10-01T00:00:00Z,"
                                                               "2026-10-01T01:00:00Z,i-9,500,,,,,"]))
    manifest = {
        "assemblyId": "asm-new",
        "reportName": "cur",
        "billingPeriod": {"start": "20261001T000000.000Z", "end": "20261101T000000.000Z"},
        "reportKeys": [f"billing/cur/{folder}/asm-new/cur-1.csv.gz", f"billing/cur/{folder}/asm-new/cur-2.csv.gz"],
    }
    put(root, f"{folder}/cur-Manifest.json", json.dumps(manifest))
    put(root, f"{folder}/asm-new/cur-Manifest.json", json.dumps(manifest))
    stale = dict(manifest, assemblyId="asm-old", reportKeys=[f"billing/cur/{folder}/asm-old/cur-1.csv.gz"])
    put(root, f"{folder}/asm-old/cur-Manifest.json", json.dumps(stale))


def test_cur1_reads_only_the_date_range_manifest_and_folds_tags(tmp_path):
    write_cur1_report(tmp_path)
    landing = Landing(str(tmp_path))

    deliveries = find_cur1_deliveries(landing)

    assert deliveries == [
        Delivery(
            bill_format="cur1",
            billing_period="2026-10",
            delivery_id="asm-new",
            manifest_key="20261001-20261101/cur-Manifest.json",
            data_keys=("20261001-20261101/asm-new/cur-1.csv.gz", "20261001-20261101/asm-new/cur-2.csv.gz"),
            name="cur",
        )
    ]
    frame = read_cur1_delivery(landing, deliveries[0], "legacy")
    assert frame["identity_line_item_id"].to_list() == ["a", "b", "c"]  # nothing from asm-old
    assert frame["line_item_unblended_cost"].to_list() == [
        Decimal("0.000000002"),
        Decimal("-0.000000002"),
        Decimal("0.001500000"),
    ]
    assert [json.loads(t) for t in frame["resource_tags"]] == [
        {"user_team": "ml"},
        {"user_cost_center": 'R&D "core"', "aws_created_by": "alice"},
        {},
    ]
    assert frame["savings_plan_savings_plan_a_r_n"][1] == "arn:aws:savingsplans::1:savingsplan/x"
    assert frame["product_region_code"].to_list() == ["us-east-1", "us-east-1", None]
    assert frame["line_item_resource_id"].to_list() == ["i-1", "i-2", None]
    assert frame.select("bill_format", "billing_account_id", "billing_period", "delivery_id").unique().rows() == [
        ("cur1", "444455556666", "2026-10", "asm-new")
    ]


def test_cur1_bad_money_names_file_line_and_column(tmp_path):
    put(tmp_path, "bill.csv.gz", cur1_csv_gz([
        "a,1,Usage,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,,0.5,,,,,",
        "b,1,Usage,2026-10-01T00:00:00Z,2026-10-01T01:00:00Z,,1O.5,,,,,",  # a letter O, not a zero
    ]))
    landing = Landing(str(tmp_path))
    with pytest.raises(LandingFileError) as excinfo:
        read_bare_bill(landing, "bill.csv.gz", "cur1", "2026-10", "cur")
    assert excinfo.value.path == landing.describe("bill.csv.gz")
    assert "line 3" in str(excinfo.value)
    assert "lineItem/UnblendedCost" in str(excinfo.value)
    assert "'1O.5'" in str(excinfo.value)


def test_cur1_bad_timestamp_names_file_line_and_column(tmp_path):
    put(tmp_path, "bill.csv", gzip.decompress(cur1_csv_gz([
        "a,1,Usage,01/10/2026,2026-10-01T01:00:00Z,,0.5,,,,,",
    ])))
    landing = Landing(str(tmp_path))
    with pytest.raises(LandingFileError, match=r"line 2, column lineItem/UsageStartDate: '01/10/2026'"):
        read_bare_bill(landing, "bill.csv", "cur1", "2026-10", "cur")


def test_cur1_without_cost_column_is_refused(tmp_path):
    put(tmp_path, "bill.csv", "bill/PayerAccountId,lineItem/LineItemType\n1,Usage\n")
    landing = Landing(str(tmp_path))
    with pytest.raises(LandingFileError, match="lineItem/UnblendedCost") as excinfo:
        read_bare_bill(landing, "bill.csv", "cur1", "2026-10", "cur")
    assert excinfo.value.path == landing.describe("bill.csv")


def test_cur1_manifest_listing_a_missing_file_is_an_error(tmp_path):
    write_cur1_report(tmp_path)
    (tmp_path / "20261001-20261101" / "asm-new" / "cur-2.csv.gz").unlink()
    landing = Landing(str(tmp_path))
    with pytest.raises(LandingFileError, match="cur-2.csv.gz") as excinfo:
        find_cur1_deliveries(landing)
    assert excinfo.value.path == landing.describe("20261001-20261101/cur-Manifest.json")


def test_cur1_to_cur2_column_names_follow_athena():
    assert cur1_column_name("lineItem/UnblendedCost") == "line_item_unblended_cost"
    assert cur1_column_name("bill/PayerAccountId") == "bill_payer_account_id"
    assert cur1_column_name("savingsPlan/SavingsPlanARN") == "savings_plan_savings_plan_a_r_n"
    assert cur1_column_name("reservation/ReservationARN") == "reservation_reservation_a_r_n"
    assert cur1_column_name("pricing/publicOnDemandCost") == "pricing_public_on_demand_cost"
    assert cur1_column_name("product/servicecode") == "product_servicecode"
    assert cur1_column_name("product/regionCode") == "product_region_code"
    assert cur1_column_name("splitLineItem/ParentResourceId") == "split_line_item_parent_resource_id"
    assert cur1_tag_key("resourceTags/user:team") == "user_team"
    assert cur1_tag_key("resourceTags/user:Cost Center") == "user_cost_center"
    assert cur1_tag_key("resourceTags/user:app.kubernetes.io/name") == "user_app_kubernetes_io_name"
