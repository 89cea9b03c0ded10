"""FOCUS 1.0–1.2 parsing (ingest/cloud_bill/focus.py): the real multi-cloud sample, and the FOCUS 1.2 spec examples as
fixtures."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime, timezone
from decimal import Decimal

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.errors import LandingFileError
from ingest.cloud_bill.focus import looks_like_focus, match_columns, read_focus_file, scan_focus_file
from ingest.landing import Landing
from ingest.schemas import FOCUS_LINE_ITEMS

UTC = timezone.utc
SAMPLE = "focus_1_0_sample_multicloud_300rows.csv"
SPEC = "spec_examples_v1.2"


def read(landing: Landing, key: str) -> pl.DataFrame:
    return read_focus_file(landing, key, source_id="focus", delivery_id="d1")


@pytest.fixture(scope="module")
def sample(reference_data) -> pl.DataFrame:
    return read(Landing(str(reference_data / "focus")), SAMPLE)


def with_account(reference_data, tmp_path, name: str) -> Landing:
    """A spec example plus the two mandatory columns the commitment examples leave out (blank lines kept)."""
    lines = (reference_data / "focus" / SPEC / name).read_text().splitlines()
    added = [lines[0] + ",BillingAccountId,BillingCurrency"] + [
        line + ",acct-1,USD" if line.strip() else line for line in lines[1:]
    ]
    (tmp_path / name).write_text("\n".join(added) + "\n")
    return Landing(str(tmp_path))


def test_reference_sample_parses_nulls_enumerations_tags_and_extras(sample):
    assert sample.schema == pl.Schema(FOCUS_LINE_ITEMS)
    assert sample.height == 300
    # "NULL" text and empty strings are both nulls
    assert sample["charge_class"].null_count() == 300
    assert sample.filter(pl.col("provider_name") == "Oracle")["commitment_discount_type"].null_count() == 7
    # "Usage-based" (Oracle) and "Usage-Based" are one value
    assert set(sample["charge_frequency"]) == {"Usage-Based", "One-Time"}
    # tags are the provider's JSON object, keys unchanged
    tags = json.loads(sample.filter(pl.col("provider_name") == "Microsoft")["tags"][0])
    assert tags["Cost department"] == "Marketing" and tags["test"] == ",NULL,NULL,"
    assert sample.filter(pl.col("tags") == "{}").height == 95  # the rows whose Tags is NULL
    assert json.loads(sample.filter(pl.col("provider_name") == "Oracle")["tags"][0]) == {
        "application": "LeadVerseFlex", "environment": "prod", "business_unit": "KampalaIT"}
    # the row Id and the unit prices the raw table does not keep are in extra_columns
    assert json.loads(sample["extra_columns"][0]) == {
        "ContractedUnitPrice": "0.00000000000", "ListUnitPrice": "0.04048", "Id": "640354"}
    assert sample["source_row"].to_list() == list(range(1, 301))


def test_reference_sample_places_each_row_by_its_own_account_and_period(sample, reference_data):
    oracle_october = sample.filter(pl.col("billing_period") == "2024-10")
    assert oracle_october.height == 1
    assert oracle_october["provider_name"][0] == "Oracle"
    # billed in October, charged on September 30th: the daily spread puts it on its charge date
    assert oracle_october["charge_period_start"][0] == datetime(2024, 9, 30, 22, tzinfo=UTC)
    assert scan_focus_file(Landing(str(reference_data / "focus")), SAMPLE) == [
        ("/providers/Microsoft.Billing/billingAccounts/8611537", "2024-09"),
        ("1234567890123", "2024-09"),
        ("20209880", "2024-09"),
        ("20209880", "2024-10"),
    ]
    # refunds are negative Usage in FOCUS: quantities below zero are data, not errors
    negative = sample.filter(pl.col("consumed_quantity") < 0)
    assert negative.height == 12 and set(negative["charge_category"]) == {"Usage"}


def test_reference_sample_money_is_exact(sample):
    credit = sample.filter(pl.col("charge_category") == "Credit")
    assert credit["billed_cost"].to_list() == [Decimal("-2.613700000")]
    assert credit["effective_cost"].to_list() == [Decimal("-3.000000000")]


def test_spec_usage_example_used_and_unused_commitment(reference_data, tmp_path):
    name = "commitment_discount_scenarios__commitment_discount_usage_scenario_3.csv"
    frame = read(with_account(reference_data, tmp_path, name), name)
    assert frame.select("commitment_discount_status", "billed_cost", "effective_cost", "consumed_quantity").rows() == [
        ("Used", Decimal("0E-9"), Decimal("0.750000000"), 1.0),
        ("Unused", Decimal("0E-9"), Decimal("0.250000000"), None),  # "null" text
    ]
    assert frame["charge_period_start"][0] == datetime(2023, 1, 1, tzinfo=UTC)
    # CommitmentDiscountQuantity and CommitmentDiscountUnit are FOCUS columns the raw table keeps as extras
    assert frame["pricing_category"][0] == "Committed"
    assert json.loads(frame["extra_columns"][0]) == {
        "CommitmentDiscountQuantity": "0.75", "CommitmentDiscountUnit": "USD"}


def test_spec_flexibility_example_header_case_blank_line_and_custom_column(reference_data, tmp_path):
    name = ("commitment_discount_flexibility__one_hundred_percent_utilization_with_commitment_discount_"
            "flexibility_with_1_resource.csv")
    frame = read(with_account(reference_data, tmp_path, name), name)
    assert frame.height == 3  # the blank lines between the rows are not rows
    assert frame["sku_price_id"][0] == "VM_SMALL_COMMITTED_PURCHASE_NO_UPFRONT"  # header "SkuPriceid"
    assert json.loads(frame["extra_columns"][1])["x_CommitmentDiscountUnitPrice"] == "1.50"
    assert frame["source_row"].to_list() == [1, 3, 5]


def test_spec_example_without_an_account_is_refused_naming_the_columns(reference_data):
    landing = Landing(str(reference_data / "focus" / SPEC))
    name = "commitment_discount_scenarios__commitment_discount_purchase_scenario_1.csv"
    with pytest.raises(LandingFileError, match="missing required FOCUS column.*BillingAccountId, BillingCurrency"):
        read(landing, name)


def test_spec_example_with_an_impossible_time_names_line_and_column(reference_data, tmp_path):
    name = "commitment_discount_scenarios__commitment_discount_purchase_scenario_2.csv"
    with pytest.raises(LandingFileError, match=r"line 4, column ChargePeriodEnd: '2023-02-01T30:00:00Z'"):
        read(with_account(reference_data, tmp_path, name), name)


def test_spec_saas_examples_money_format_and_us_dates(reference_data):
    landing = Landing(str(reference_data / "focus" / SPEC))
    with pytest.raises(LandingFileError, match=r"line 2, column BilledCost: '\$10,000.00 ' is not a decimal number"):
        read(landing, "saas_examples__simple_agreements__simple_saas_agreements_a1.csv")
    tokens = read(landing, "saas_examples__virtual_currency_pricing_model_a2.csv")
    assert tokens["billing_period"].unique().to_list() == ["2025-04"]  # 4/1/25 is month first
    assert tokens["effective_cost"].sum() == Decimal("1230.000000000")


def test_header_matching_ignores_case_and_keeps_custom_columns_apart():
    mapping, extras = match_columns(["BilledCost", "billedcost", "skupriceid", "x_BilledCost", "Id"])
    assert mapping == {"BilledCost": "billed_cost", "skupriceid": "sku_price_id"}
    assert extras == ["billedcost", "x_BilledCost", "Id"]
    assert looks_like_focus(["ChargeCategory", "BilledCost", "ChargePeriodStart", "BillingPeriodStart"])
    assert not looks_like_focus(["lineItem/UnblendedCost", "bill/PayerAccountId"])


def test_parquet_focus_with_map_tags_and_naive_times(tmp_path):
    table = pa.table({
        "BillingAccountId": ["111"], "BillingCurrency": ["USD"],
        "BillingPeriodStart": pa.array([datetime(2026, 10, 1)], pa.timestamp("ms")),
        "BillingPeriodEnd": pa.array([datetime(2026, 11, 1)], pa.timestamp("ms")),
        "ChargeCategory": ["usage"], "ChargePeriodStart": pa.array([datetime(2026, 10, 2)], pa.timestamp("ms")),
        "ChargePeriodEnd": pa.array([datetime(2026, 10, 3)], pa.timestamp("ms")),
        "BilledCost": pa.array([0.3], pa.float64()), "EffectiveCost": pa.array([0.25], pa.float64()),
        "Tags": pa.array([[("user:team", "ml")]], pa.map_(pa.string(), pa.string())),
        "x_Operation": ["RunInstances"],
    })
    pq.write_table(table, tmp_path / "focus.parquet")
    frame = read(Landing(str(tmp_path)), "focus.parquet")
    assert frame["billed_cost"].to_list() == [Decimal("0.300000000")]
    assert frame["charge_category"].to_list() == ["Usage"]
    assert frame["charge_period_start"].to_list() == [datetime(2026, 10, 2, tzinfo=UTC)]
    assert json.loads(frame["tags"][0]) == {"user:team": "ml"}
    assert json.loads(frame["extra_columns"][0]) == {"x_Operation": "RunInstances"}
    assert frame["source_row"].to_list() == [1]


def test_truncated_gzip_and_bad_tags_name_the_file(reference_data, tmp_path):
    data = (reference_data / "focus" / SAMPLE).read_bytes()
    (tmp_path / "cut.csv.gz").write_bytes(gzip.compress(data)[:5000])
    landing = Landing(str(tmp_path))
    with pytest.raises(LandingFileError, match="cannot decompress") as excinfo:
        read(landing, "cut.csv.gz")
    assert excinfo.value.path == str(tmp_path / "cut.csv.gz")
    shutil.copy(reference_data / "focus" / SAMPLE, tmp_path / "tags.csv")
    text = (tmp_path / "tags.csv").read_text().replace('{""ccm"": ""ElieTest""', '{""ccm"" ""ElieTest""', 1)
    (tmp_path / "tags.csv").write_text(text)
    with pytest.raises(LandingFileError, match=r"column Tags: .* is not a JSON object"):
        read(landing, "tags.csv")


def test_a_row_without_its_billing_account_is_refused(tmp_path):
    text = ("BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,ChargePeriodStart,"
            "ChargePeriodEnd,BilledCost,EffectiveCost\n"
            "a,USD,2026-10-01,2026-11-01,Usage,2026-10-02,2026-10-03,1,1\n"
            "NULL,USD,2026-10-01,2026-11-01,Usage,2026-10-02,2026-10-03,1,1\n")
    (tmp_path / "f.csv").write_text(text)
    with pytest.raises(LandingFileError, match="line 3, column BillingAccountId: empty"):
        read(Landing(str(tmp_path)), "f.csv")
    with pytest.raises(LandingFileError, match="line 3, column BillingAccountId: empty"):
        scan_focus_file(Landing(str(tmp_path)), "f.csv")
