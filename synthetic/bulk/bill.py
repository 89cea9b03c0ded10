"""The hourly CUR 2.0 line items of a bulk zone, as columns: every row covers one hour and is On-Demand `Usage`,
so its effective cost is its unblended cost (held exactly, in 1e-8 dollars, `cost_e8`).

Rows per hour: each cluster node's compute (RunInstances, tagged with its cluster) and its data transfer out
(untagged: unallocated); per tenant three S3 buckets (uploads: tenant + feature ingest; exports: tenant only;
index: tenant + feature search) with four usage types each, and two data-transfer rows (tenant only); RDS: a
dedicated instance for the largest enterprise tenants, a shared cluster (untagged: unallocated) and each one's
storage. Amounts follow budget.py's mix; the request and transfer rows follow the hour of day.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..model.common import diurnal
from .budget import hourly_budgets

S3_TYPES = (("USE1-TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", "0.023", 0.45, False),
            ("USE1-TimedStorage-INT-FA-ByteHrs", "IntelligentTieringFAStorage", "GB-Mo", "0.023", 0.15, False),
            ("USE1-Requests-Tier1", "PutObject", "Requests", "0.000005", 0.25, True),
            ("USE1-Requests-Tier2", "GetObject", "Requests", "0.0000004", 0.15, True))
BUCKETS = (("uploads", "ingest", 0.5), ("exports", None, 0.2), ("index", "search", 0.3))
DT_TYPES = (("AWSDataTransfer", "USE1-DataTransfer-Out-Bytes", "0.09", 0.75),
            ("AWSDataTransfer", "USE1-DataTransfer-Regional-Bytes", "0.01", 0.25))
NODE_DT_SHARE = 0.08  # of the data-transfer budget, on the nodes (untagged)
RDS_TYPES = {"dedicated": ("db.r6g.large", 26_000_000), "shared": ("db.r6g.xlarge", 52_000_000)}


def _hourly(n_rows: int, hours: int) -> tuple[np.ndarray, np.ndarray]:
    """(row index, hour) for n_rows resources billed every hour."""
    return np.repeat(np.arange(n_rows), hours), np.tile(np.arange(hours), n_rows)


def build_bill(fleet, tenants, hours: int, start_hour_of_day: np.ndarray, weekday: np.ndarray,
               rng: np.random.Generator) -> pl.DataFrame:
    """Columns: hour, product, usage_type, operation, resource_id, unit, family, rate_e8, cost_e8, instance_type,
    tag_cluster, tag_tenant, tag_feature. start_hour_of_day / weekday: per window hour (0-23, weekday factor)."""
    nodes = fleet.nodes
    od = nodes["od_e8"].to_numpy()
    budgets = hourly_budgets(float(od.sum()) / 1e8)
    diur = np.array([diurnal(h) for h in range(24)])
    activity = diur[start_hour_of_day] / diur.mean() * weekday / weekday.mean()
    parts = []

    def add(df: dict) -> None:
        parts.append(pl.DataFrame(df))

    # ---- cluster nodes: compute and data transfer
    r, h = _hourly(nodes.height, hours)
    base = dict(hour=h, resource_id=nodes["instance_id"].to_numpy()[r], tag_cluster=nodes["cluster"].to_numpy()[r],
                instance_type=nodes["instance_type"].to_numpy()[r])
    add({**base, "product": "AmazonEC2", "usage_type": np.char.add("USE1-BoxUsage:", base["instance_type"]),
         "operation": "RunInstances", "unit": "Hrs", "family": "Compute Instance",
         "rate_e8": od[r], "cost_e8": od[r]})
    node_dt = budgets["data_transfer"] * NODE_DT_SHARE / nodes.height
    cost = np.maximum(1, np.round(node_dt * activity[h] * rng.uniform(0.7, 1.3, h.size) * 1e8)).astype(np.int64)
    add({**base, "product": "AmazonEC2", "usage_type": "USE1-DataXfer-Out-Bytes", "operation": "RunInstances",
         "unit": "GB", "family": "Data Transfer", "rate_e8": 9_000_000, "cost_e8": cost, "tag_cluster": None})

    # ---- tenants: S3 buckets and data transfer, by a damped share of their size
    ids = np.array([t.id for t in tenants])
    w = np.array([t.size for t in tenants]) ** 0.6
    w = 0.5 * w / w.sum() + 0.5 / len(tenants)
    for bucket, feature, bshare in BUCKETS:
        for usage_type, operation, unit, rate, tshare, traffic in S3_TYPES:
            r, h = _hourly(len(tenants), hours)
            amount = budgets["s3"] * bshare * tshare * w[r] * (activity[h] if traffic else 1.0)
            cost = np.maximum(1, np.round(amount * rng.uniform(0.8, 1.2, h.size) * 1e8)).astype(np.int64)
            add({"hour": h, "product": "AmazonS3", "usage_type": usage_type, "operation": operation,
                 "resource_id": np.char.add(np.char.add("unitcost-", ids[r]), f"-{bucket}"), "unit": unit,
                 "family": "API Request" if traffic else "Storage", "rate_e8": round(float(rate) * 1e8),
                 "cost_e8": cost, "tag_tenant": ids[r], "tag_feature": feature})
    for product, usage_type, rate, share in DT_TYPES:
        r, h = _hourly(len(tenants), hours)
        amount = budgets["data_transfer"] * (1 - NODE_DT_SHARE) * share * w[r] * activity[h]
        cost = np.maximum(1, np.round(amount * rng.uniform(0.7, 1.3, h.size) * 1e8)).astype(np.int64)
        add({"hour": h, "product": product, "usage_type": usage_type, "operation": "",
             "resource_id": np.char.add("arn:aws:elasticloadbalancing:us-east-1:lb/app/", ids[r]), "unit": "GB",
             "family": "Data Transfer", "rate_e8": round(float(rate) * 1e8), "cost_e8": cost, "tag_tenant": ids[r]})

    # ---- RDS: dedicated instances (largest enterprise tenants first), the shared cluster, and their storage
    enterprise = [t for t in tenants if t.plan == "enterprise"] or list(tenants[:1])
    rds = budgets["rds"]
    dedicated = enterprise[: max(1, min(len(enterprise), int(rds * 0.5 / 0.26)))]
    shared_n = max(1, int(rds * 0.35 / 0.52))
    instances = [(f"{t.id}-prod", *RDS_TYPES["dedicated"], t.id, "chat") for t in dedicated]
    instances += [(f"platform-shared-{i + 1}", *RDS_TYPES["shared"], None, None) for i in range(shared_n)]
    storage_e8 = max(0.0, rds * 1e8 - sum(x[2] for x in instances)) / len(instances)
    for name, itype, rate_e8, tenant, feature in instances:
        h = np.arange(hours)
        arn = f"arn:aws:rds:us-east-1:db:{name}"
        common = {"hour": h, "product": "AmazonRDS", "operation": "CreateDBInstance:0016", "resource_id": arn,
                  "instance_type": itype, "tag_tenant": tenant, "tag_feature": feature}
        add({**common, "usage_type": f"USE1-InstanceUsage:{itype}", "unit": "Hrs", "family": "Database Instance",
             "rate_e8": rate_e8, "cost_e8": np.full(hours, rate_e8, dtype=np.int64)})
        add({**common, "usage_type": "USE1-RDS:GP3-Storage", "unit": "GB-Mo", "family": "Database Storage",
             "rate_e8": 11_500_000, "cost_e8": np.full(hours, max(1, round(storage_e8)), dtype=np.int64)})

    schema = {"hour": pl.Int32, "product": pl.Utf8, "usage_type": pl.Utf8, "operation": pl.Utf8,
              "resource_id": pl.Utf8, "unit": pl.Utf8, "family": pl.Utf8, "rate_e8": pl.Int64, "cost_e8": pl.Int64,
              "instance_type": pl.Utf8, "tag_cluster": pl.Utf8, "tag_tenant": pl.Utf8, "tag_feature": pl.Utf8}
    frames = [p.with_columns([pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in p.columns])
              .select([pl.col(c).cast(t) for c, t in schema.items()]) for p in parts]
    strings = [c for c, t in schema.items() if t == pl.Utf8]
    return pl.concat(frames).sort("hour", maintain_order=True).with_columns(
        [pl.col(c).cast(pl.Categorical) for c in strings])
