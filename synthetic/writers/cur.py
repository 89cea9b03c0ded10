"""AWS CUR 2.0 as Data Exports delivers it: Parquet data files per billing period under
data/BILLING_PERIOD=YYYY-MM/<timestamp>-<executionId>/, and the manifest that lists them and the columns.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..model import Model
from ..model.common import BUCKET, BUCKET_PREFIX, EXPORT_NAME, day_start, next_month

_S, _D = pa.string(), pa.float64()
_T = pa.timestamp("ms", tz="UTC")
_M = pa.map_(pa.string(), pa.string())

# (column, arrow type, the type the manifest / Glue names)
CUR_COLUMNS: list[tuple[str, pa.DataType, str]] = [
    ("bill_bill_type", _S, "string"),
    ("bill_billing_entity", _S, "string"),
    ("bill_billing_period_end_date", _T, "timestamp"),
    ("bill_billing_period_start_date", _T, "timestamp"),
    ("bill_invoice_id", _S, "string"),
    ("bill_invoicing_entity", _S, "string"),
    ("bill_payer_account_id", _S, "string"),
    ("bill_payer_account_name", _S, "string"),
    ("identity_line_item_id", _S, "string"),
    ("identity_time_interval", _S, "string"),
    ("line_item_availability_zone", _S, "string"),
    ("line_item_blended_cost", _D, "double"),
    ("line_item_currency_code", _S, "string"),
    ("line_item_legal_entity", _S, "string"),
    ("line_item_line_item_description", _S, "string"),
    ("line_item_line_item_type", _S, "string"),
    ("line_item_net_unblended_cost", _D, "double"),
    ("line_item_operation", _S, "string"),
    ("line_item_product_code", _S, "string"),
    ("line_item_resource_id", _S, "string"),
    ("line_item_tax_type", _S, "string"),
    ("line_item_unblended_cost", _D, "double"),
    ("line_item_unblended_rate", _S, "string"),
    ("line_item_usage_account_id", _S, "string"),
    ("line_item_usage_account_name", _S, "string"),
    ("line_item_usage_amount", _D, "double"),
    ("line_item_usage_end_date", _T, "timestamp"),
    ("line_item_usage_start_date", _T, "timestamp"),
    ("line_item_usage_type", _S, "string"),
    ("pricing_currency", _S, "string"),
    ("pricing_public_on_demand_cost", _D, "double"),
    ("pricing_public_on_demand_rate", _S, "string"),
    ("pricing_term", _S, "string"),
    ("pricing_unit", _S, "string"),
    ("product", _M, "map<string,string>"),
    ("product_instance_type", _S, "string"),
    ("product_operation", _S, "string"),
    ("product_product_family", _S, "string"),
    ("product_region_code", _S, "string"),
    ("product_servicecode", _S, "string"),
    ("product_usagetype", _S, "string"),
    ("reservation_amortized_upfront_cost_for_usage", _D, "double"),
    ("reservation_amortized_upfront_fee_for_billing_period", _D, "double"),
    ("reservation_effective_cost", _D, "double"),
    ("reservation_recurring_fee_for_usage", _D, "double"),
    ("reservation_reservation_a_r_n", _S, "string"),
    ("reservation_unused_amortized_upfront_fee_for_billing_period", _D, "double"),
    ("reservation_unused_quantity", _D, "double"),
    ("reservation_unused_recurring_fee", _D, "double"),
    ("resource_tags", _M, "map<string,string>"),
    ("savings_plan_amortized_upfront_commitment_for_billing_period", _D, "double"),
    ("savings_plan_net_savings_plan_effective_cost", _D, "double"),
    ("savings_plan_recurring_commitment_for_billing_period", _D, "double"),
    ("savings_plan_savings_plan_a_r_n", _S, "string"),
    ("savings_plan_savings_plan_effective_cost", _D, "double"),
    ("savings_plan_savings_plan_rate", _D, "double"),
    ("savings_plan_total_commitment_to_date", _D, "double"),
    ("savings_plan_used_commitment", _D, "double"),
    ("split_line_item_parent_resource_id", _S, "string"),
    ("split_line_item_public_on_demand_split_cost", _D, "double"),
    ("split_line_item_split_cost", _D, "double"),
    ("split_line_item_split_usage", _D, "double"),
    ("split_line_item_split_usage_ratio", _D, "double"),
    ("split_line_item_unused_cost", _D, "double"),
]
CUR_SCHEMA = pa.schema([pa.field(n, t) for n, t, _ in CUR_COLUMNS])
CUR_ROWS_PER_FILE = 200_000


def _cur_value(v, typ: pa.DataType):
    if isinstance(v, Decimal):
        return float(v)
    if typ == _M:
        return sorted((v or {}).items())
    if typ == _S and v is None:
        return ""
    return v


def write_cur(model: Model, root: Path) -> dict[date, list[str]]:
    """<root>/data/BILLING_PERIOD=YYYY-MM/<ts>-<executionId>/<export>-0000N.snappy.parquet + the manifest.
    Returns billing period -> the dataFiles URIs listed in its manifest."""
    listed: dict[date, list[str]] = {}
    for period in model.billing_periods:
        rows = [r for r in model.cur_rows if r["bill_billing_period_start_date"] == day_start(period)]
        ts, execution_id = model.export_execution[period]
        part = f"BILLING_PERIOD={period.strftime('%Y-%m')}"
        rel_dir = f"data/{part}/{ts}-{execution_id}"
        (root / rel_dir).mkdir(parents=True, exist_ok=True)
        uris = []
        for i in range(0, max(len(rows), 1), CUR_ROWS_PER_FILE):
            chunk = rows[i : i + CUR_ROWS_PER_FILE]
            fname = f"{EXPORT_NAME}-{i // CUR_ROWS_PER_FILE + 1:05d}.snappy.parquet"
            cols = {n: [_cur_value(r.get(n), t) for r in chunk] for n, t, _ in CUR_COLUMNS}
            table = pa.table({n: pa.array(cols[n], type=t) for n, t, _ in CUR_COLUMNS}, schema=CUR_SCHEMA)
            pq.write_table(table, root / rel_dir / fname, compression="snappy")
            uris.append(f"s3://{BUCKET}/{BUCKET_PREFIX}/{EXPORT_NAME}/{rel_dir}/{fname}")
        write_manifest(root, period, execution_id, model.export_arn, uris)
        listed[period] = uris
    return listed


def write_manifest(root: Path, period: date, execution_id: str, export_arn: str, uris: list[str]) -> None:
    """metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json: the period's data files and the columns."""
    part = f"BILLING_PERIOD={period.strftime('%Y-%m')}"
    manifest = {
        "executionId": execution_id,
        "exportName": EXPORT_NAME,
        "exportArn": export_arn,
        "bucket": BUCKET,
        "billingPeriod": {
            "start": day_start(period).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "end": day_start(next_month(period)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        },
        "dataFiles": uris,
        "columns": [{"name": n, "type": t} for n, _, t in CUR_COLUMNS],
    }
    mdir = root / "metadata" / part
    mdir.mkdir(parents=True, exist_ok=True)
    (mdir / f"{EXPORT_NAME}-Manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
