"""The ground truth of a bulk zone under the default policy (docs/allocation.md), from the generation arrays: the
per-row amounts are summed in bulk (polars, integers), the splits are the same exact splits as the demo's truth
(ground_truth.exact_split / settle_days) over the summed groups.

- bill: Σ cost_e8 per day (every row is one hour of one day); a node's compute rows make its B, tagged rows are
  direct (tenant) or a shared workload (feature only), untagged rows are unallocated;
- node-day: B split over the node's pods by their OpenCost weight and one idle recipient weighing N − Σ w
  (N = the node's /assets total), as int_pod_costs_reconciled does;
- pods: tenant label → direct, feature only → shared workload (split by requests), kube-system / monitoring →
  the shared pool, else unallocated;
- LLM calls: direct, priced in llm.py.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import polars as pl

from ..ground_truth import IDLE, Truth, _Day, exact_split, settle_days
from ..model.common import LLM_FEATURES, SHARED_NAMESPACES

E8, E5, E6, NANO = Decimal("1e-8"), Decimal("1e-5"), Decimal("1e-6"), Decimal("1e-9")


def compute_bulk_truth(window: list[date], tenant_ids: list[str], nodes: pl.DataFrame, pod_hours: pl.DataFrame,
                       bill: pl.DataFrame, calls: pl.DataFrame, requests: pl.DataFrame) -> Truth:
    days = {d: _Day() for d in window}
    daily: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    node_ids = set(nodes["instance_id"].to_list())
    bill = bill.with_columns(day=pl.col("hour") // 24,
                             node=pl.col("resource_id").cast(pl.Utf8).is_in(list(node_ids))
                             & (pl.col("operation").cast(pl.Utf8) == "RunInstances")
                             & ~pl.col("usage_type").cast(pl.Utf8).str.contains("DataXfer"))
    for d, amount in bill.group_by("day").agg(pl.col("cost_e8").sum()).iter_rows():
        daily[(window[d], "cur")] += Decimal(amount) * E8
    owned = bill.filter(~pl.col("node")).group_by("day", "tag_tenant", "tag_feature").agg(pl.col("cost_e8").sum())
    for d, tenant, feature, amount in owned.iter_rows():
        days[window[d]].assign(Decimal(amount) * E8, tenant, feature)
    b = {(window[d], iid): Decimal(a) * E8 for d, iid, a in
         bill.filter(pl.col("node")).with_columns(pl.col("resource_id").cast(pl.Utf8))
         .group_by("day", "resource_id").agg(pl.col("cost_e8").sum()).iter_rows()}

    # ---- node-days: B over the pods (OpenCost weights) and idle (N - Σw)
    asset_n = {row["instance_id"]: (Decimal(row["cores"] * 24 * row["cpu_e6"]) * E6
                                    + Decimal(row["gib"] * 24 * row["ram_e6"]) * E6)
               for row in nodes.iter_rows(named=True)}
    pod_days = (pod_hours.with_columns(day=pl.col("hour") // 24)
                .group_by("day", "instance_id", "namespace", "pod", "tenant", "feature")
                .agg(w=(pl.col("cpu_cost") + pl.col("ram_cost")).sum()).sort("day", "instance_id", "namespace", "pod"))
    owners: dict[tuple, tuple] = {}
    weights: dict[tuple[int, str], dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for d, iid, ns, pod, tenant, feature, w in pod_days.iter_rows():
        weights[(d, iid)][(ns, pod)] = Decimal(w) * E5
        owners[(ns, pod)] = (tenant, feature)
    node_daily = []
    for (d, iid), w in sorted(weights.items()):
        day, bn = days[window[d]], b.get((window[d], iid), Decimal(0))
        idle_w = max(asset_n[iid] - sum(w.values()), Decimal(0))
        pieces = exact_split(bn, {**w, ("", ""): idle_w})
        idle = pieces.pop(("", ""))
        day.idle += idle
        node_daily.append((window[d], iid, bn, bn - idle, idle))
        for key, amount in pieces.items():
            tenant, feature = owners[key]
            day.assign(amount, tenant, feature, key[0] in SHARED_NAMESPACES)

    # ---- LLM calls: direct; the truth per invoicing provider
    providers = {"openai": "openai", "anthropic": "anthropic", "gcp.gemini": "google"}
    for d, tenant, feature, amount in calls.group_by("day", "tenant", "feature").agg(
            pl.col("cost_nano").sum()).iter_rows():
        days[window[d]].direct[(tenant_ids[tenant], LLM_FEATURES[feature])] += Decimal(amount) * NANO
    feature_llm: dict[str, Decimal] = defaultdict(Decimal)
    for d, provider, feature, amount in calls.group_by("day", "provider", "feature").agg(
            pl.col("cost_nano").sum()).iter_rows():
        daily[(window[d], f"llm:{providers[provider]}")] += Decimal(amount) * NANO
        feature_llm[LLM_FEATURES[feature]] += Decimal(amount) * NANO

    # ---- request drivers per day, feature and tenant
    reqs: dict[date, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for d, feature, tenant, v in requests.with_columns(day=pl.col("hour") // 24).group_by(
            "day", "feature", "tenant").agg(pl.col("value").sum()).iter_rows():
        reqs[window[d]][feature][tenant] = Decimal(v)

    tenant_daily = settle_days(window, sorted(tenant_ids), days, reqs)
    assert all(k[1] != IDLE or v >= 0 for k, v in tenant_daily.items())
    return Truth(window=window, daily=dict(daily), tenant_daily=tenant_daily, node_daily=node_daily,
                 feature_llm_cost=dict(feature_llm))
