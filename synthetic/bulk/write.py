"""The files of a bulk zone, in the formats the demo writes (synthetic/writers/): CUR 2.0 Parquet (several files
per billing period) + manifest, OpenCost hourly /allocation and daily /assets per cluster and day, native LLM JSON
lines, Prometheus query_range JSON. Columns are built whole (polars / pyarrow) and JSON entries from one template
each, not one dict per row."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..model.common import BUCKET, BUCKET_PREFIX, EXPORT_NAME, REGION
from ..writers.cur import CUR_COLUMNS, CUR_SCHEMA, write_manifest

CUR_ROWS_PER_FILE = 1_000_000
PRODUCT_NAMES = {"AmazonEC2": "Amazon Elastic Compute Cloud", "AmazonRDS": "Amazon Relational Database Service",
                 "AmazonS3": "Amazon Simple Storage Service", "AWSDataTransfer": "AWS Data Transfer"}


def _maps(keys: pl.DataFrame, build) -> tuple[pa.Array, np.ndarray]:
    """A map array of the distinct key rows (build(row) -> dict) and each input row's index into it."""
    distinct = keys.unique(maintain_order=True).with_row_index("_k")
    idx = keys.join(distinct, on=keys.columns, how="left", maintain_order="left", nulls_equal=True)["_k"]
    arr = pa.array([sorted(build(*r).items()) for r in distinct.drop("_k").iter_rows()],
                   type=pa.map_(pa.string(), pa.string()))
    return arr, idx.to_numpy()


def write_cur(bill: pl.DataFrame, t0: datetime, root: Path, ids: dict, rng: np.random.Generator) -> None:
    """ids: payer, account, export_arn, executions {period: (timestamp folder, executionId)}, last_day."""
    start = pl.lit(t0).dt.replace_time_zone("UTC") + pl.duration(hours=pl.col("hour"))
    df = bill.with_columns(start=start, end=start + pl.duration(hours=1))
    df = df.with_columns(period=pl.col("start").dt.truncate("1mo"), cost=pl.col("cost_e8") / 1e8,
                         rate=pl.col("rate_e8") / 1e8)
    df = df.with_columns(period_end=pl.col("period").dt.offset_by("1mo"))
    for period in df["period"].unique().sort().to_list():
        part = df.filter(pl.col("period") == period)
        p_date = period.date()
        ts, execution_id = ids["executions"][p_date]
        rel_dir = f"data/BILLING_PERIOD={p_date:%Y-%m}/{ts}-{execution_id}"
        (root / rel_dir).mkdir(parents=True, exist_ok=True)
        uris = []
        for i in range(0, part.height, CUR_ROWS_PER_FILE):
            chunk = part.slice(i, CUR_ROWS_PER_FILE)
            fname = f"{EXPORT_NAME}-{i // CUR_ROWS_PER_FILE + 1:05d}.snappy.parquet"
            pq.write_table(_cur_table(chunk, ids, rng), root / rel_dir / fname, compression="snappy")
            uris.append(f"s3://{BUCKET}/{BUCKET_PREFIX}/{EXPORT_NAME}/{rel_dir}/{fname}")
        write_manifest(root, p_date, execution_id, ids["export_arn"], uris)


def _cur_table(chunk: pl.DataFrame, ids: dict, rng: np.random.Generator) -> pa.Table:
    n = chunk.height
    chunk = chunk.with_columns(pl.col(pl.Categorical).cast(pl.Utf8))
    alphabet = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype="S1")
    raw = alphabet[rng.integers(0, 32, size=n * 52, dtype=np.uint8)].tobytes()
    line_ids = pa.FixedSizeBinaryArray.from_buffers(pa.binary(52), n, [None, pa.py_buffer(raw)])
    closed = pl.col("period_end") <= pl.lit(ids["last_day"]).cast(pl.Datetime("us", "UTC"))
    c = chunk.with_columns(
        bill_bill_type=pl.lit("Anniversary"), bill_billing_entity=pl.lit("AWS"),
        bill_billing_period_end_date=pl.col("period_end"), bill_billing_period_start_date=pl.col("period"),
        bill_invoice_id=pl.when(closed).then(pl.col("period").dt.strftime("%Y%m") + ids["payer"][-5:])
        .otherwise(pl.lit("")),
        bill_invoicing_entity=pl.lit("Amazon Web Services, Inc."), bill_payer_account_id=pl.lit(ids["payer"]),
        bill_payer_account_name=pl.lit("unitcost-demo-payer"),
        identity_time_interval=pl.col("start").dt.strftime("%Y-%m-%dT%H:%M:%SZ") + "/"
        + pl.col("end").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        line_item_availability_zone=pl.lit(""), line_item_blended_cost=pl.col("cost"),
        line_item_currency_code=pl.lit("USD"), line_item_legal_entity=pl.lit("Amazon Web Services, Inc."),
        line_item_line_item_description=pl.format("${} per {} of {}", pl.col("rate"), pl.col("unit"),
                                                  pl.col("usage_type")),
        line_item_line_item_type=pl.lit("Usage"), line_item_net_unblended_cost=pl.col("cost"),
        line_item_operation=pl.col("operation"), line_item_product_code=pl.col("product"),
        line_item_resource_id=pl.col("resource_id"), line_item_tax_type=pl.lit(""),
        line_item_unblended_cost=pl.col("cost"), line_item_unblended_rate=pl.col("rate").cast(pl.Utf8),
        line_item_usage_account_id=pl.lit(ids["account"]), line_item_usage_account_name=pl.lit("unitcost-prod"),
        line_item_usage_amount=(pl.col("cost") / pl.col("rate")).round(8),
        line_item_usage_end_date=pl.col("end"), line_item_usage_start_date=pl.col("start"),
        line_item_usage_type=pl.col("usage_type"), pricing_currency=pl.lit("USD"),
        pricing_public_on_demand_cost=pl.col("cost"), pricing_public_on_demand_rate=pl.col("rate").cast(pl.Utf8),
        pricing_term=pl.lit("OnDemand"), pricing_unit=pl.col("unit"),
        product_instance_type=pl.col("instance_type").fill_null(""), product_operation=pl.col("operation"),
        product_product_family=pl.col("family"), product_region_code=pl.lit(REGION),
        product_servicecode=pl.col("product"), product_usagetype=pl.col("usage_type"),
        reservation_reservation_a_r_n=pl.lit(""), savings_plan_savings_plan_a_r_n=pl.lit(""),
        split_line_item_parent_resource_id=pl.lit(""),
    )
    table = c.to_arrow()
    tags, tag_idx = _maps(chunk.select("tag_cluster", "tag_tenant", "tag_feature"), _tags)
    products, prod_idx = _maps(chunk.select("product"),
                               lambda p: {"product_name": PRODUCT_NAMES.get(p, p), "region": REGION})
    cols = {}
    for name, typ, _ in CUR_COLUMNS:
        if name == "identity_line_item_id":
            cols[name] = line_ids.cast(pa.binary()).cast(pa.string())
        elif name == "resource_tags":
            cols[name] = pc.take(tags, pa.array(tag_idx))
        elif name == "product":
            cols[name] = pc.take(products, pa.array(prod_idx))
        elif name in table.column_names:
            cols[name] = table.column(name).cast(typ)
        else:
            cols[name] = pa.nulls(n, typ)
    return pa.table(cols, schema=CUR_SCHEMA)


def _tags(cluster, tenant, feature) -> dict:
    if cluster:
        return {"aws_eks_cluster_name": cluster, "user_team": "platform"}
    tags = {"user_tenant": tenant} if tenant else {"user_team": "data"}
    return tags | ({"user_feature": feature} if feature else {})
