"""The ground truth of a synthetic landing zone, computed from the generation model (never by the pipeline).

It follows docs/allocation.md (the default policy) step by step, in Decimal:
- truth per day and source: Σ effective cost (docs/cloud-bill.md CASE) of every bill row's share of the day, spread over
  the UTC days its [start, end) touches in nano-dollars (residual on the last day), split rows excluded;
  + Σ LLM cost per call (llm_reference_prices.price_call), by the invoicing provider;
- node compute B per node-day → pods by B·w/max(N, Σw), the rest idle (all of B for a node in /assets without pod
  weight); pods → owner per label key (pod > controller > namespace > OpenCost labels for unseen pods), with the
  labels in force (from the snapshot that first saw them), the pod-day split by seconds under each owner;
  tenant → direct; feature only → by that day's requests; shared namespace → pool;
- the cluster's volumes and load balancer per day over the pods that mount / are selected by them (seen in a
  snapshot), by their seconds under each owner, then as pod compute; none → __unallocated__;
- other bill rows by tags / shared-service rules; LLM calls direct;
- the pool over real tenants in proportion to their direct cost that day.
Every split is exact (round to 9 decimals, residual to the largest weight), so Σ tenants per day = truth per day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from .llm_reference_prices import price_llm_call
from .model import Model
from .model.common import SHARED_NAMESPACES
from .model.kubernetes import Pod
from .model.opencost import sanitize_label_key
from .writers.business import write_csv

NANO = Decimal("0.000000001")
IDLE = "__idle__"
UNALLOCATED = "__unallocated__"
SPLIT_OPERATIONS = ("EKSPod-EC2", "ECSTask-EC2")
TENANT_LABEL, FEATURE_LABEL = "tenant", "feature"
TENANT_TAG, FEATURE_TAG = "user_tenant", "user_feature"


# ----------------------------------------------------------------------------------------------------------------
# the rules


def effective_cost(row: dict) -> Decimal:
    """docs/cloud-bill.md: the Cloud Intelligence Dashboards amortization CASE."""
    t = row["line_item_line_item_type"]
    z = Decimal(0)

    def g(col: str) -> Decimal:
        v = row.get(col)
        return z if v is None else Decimal(v)

    if t == "SavingsPlanCoveredUsage":
        return g("savings_plan_savings_plan_effective_cost")
    if t == "SavingsPlanRecurringFee":
        return g("savings_plan_total_commitment_to_date") - g("savings_plan_used_commitment")
    if t in ("SavingsPlanNegation", "SavingsPlanUpfrontFee"):
        return z
    if t == "DiscountedUsage":
        return g("reservation_effective_cost")
    if t == "RIFee":
        return g("reservation_unused_amortized_upfront_fee_for_billing_period") + g("reservation_unused_recurring_fee")
    if t == "Fee" and (row.get("reservation_reservation_a_r_n") or ""):
        return z
    if (t == "Refund" and row.get("line_item_product_code") == "ComputeSavingsPlans"
            and (row.get("line_item_line_item_description") or "").startswith(
                "Refund for one-time fee for Savings Plan ID")):
        return z
    return g("line_item_unblended_cost")


def spread(amount: Decimal, start: datetime, end: datetime) -> list[tuple[date, Decimal]]:
    """Equal nano-dollar shares over the UTC days [start, end) touches; the residual on the last day."""
    first = start.date()
    last = (end - timedelta(microseconds=1)).date() if end > start else first
    n = (last - first).days + 1
    a = int((amount / NANO).to_integral_value())
    if (Decimal(a) * NANO) != amount:
        raise ValueError(f"amount {amount} is not a whole number of nano-dollars")
    share = abs(a) // n * (1 if a >= 0 else -1)  # truncated toward zero
    out = [(first + timedelta(days=i), Decimal(share) * NANO) for i in range(n - 1)]
    out.append((last, Decimal(a - (n - 1) * share) * NANO))
    return out


def exact_split(amount: Decimal, weights: dict) -> dict:
    """Each piece round(A·w/Σw, 9) half away from zero, the residual to the largest weight (ties: smallest key)."""
    total = sum(weights.values(), Decimal(0))
    if not weights or total == 0:
        raise ValueError("no weight to split over")
    with localcontext() as ctx:
        ctx.prec = 60
        pieces = {k: (amount * w / total).quantize(NANO, rounding=ROUND_HALF_UP) for k, w in weights.items()}
    top = min(weights, key=lambda k: (-weights[k], k))
    pieces[top] += amount - sum(pieces.values(), Decimal(0))
    return pieces


def is_node_compute(row: dict, node_ids: set[str]) -> bool:
    return (row["line_item_resource_id"] in node_ids
            and (row["line_item_operation"] or "").startswith("RunInstances")
            and "DataXfer" not in (row["line_item_usage_type"] or ""))


def is_shared_service(row: dict) -> bool:
    """Default shared-service rules: support, tax, NAT gateway."""
    return ((row["line_item_product_code"] or "").startswith("AWSSupport")
            or row["line_item_line_item_type"] == "Tax"
            or "NatGateway" in (row["line_item_usage_type"] or ""))


def labels_in_force(labelled, t: datetime, snapshots: list[datetime]) -> dict[str, str]:
    """docs/kubernetes.md: labels take effect at the first snapshot that saw them and stay until the next change is
    seen; before the first snapshot the first seen version applies."""
    seen = [s for s in snapshots if s <= t]
    at = seen[-1] if seen else snapshots[0]
    return labelled.labels_at(at) if hasattr(labelled, "labels_at") else labelled.labels


def pod_owner_levels(model: Model, pod: Pod, t: datetime) -> list[dict[str, str]]:
    """Label sets at `t` in precedence order: pod > controller (RS → Deployment, Job → CronJob) > namespace >
    OpenCost (only for a pod no snapshot saw)."""
    levels: list[dict[str, str]] = []
    seen = pod.seen_in_snapshots(model.snapshot_times)
    if seen:
        levels.append(pod.labels)
        if pod.owner_kind == "ReplicaSet":
            rs = next(r for r in model.replicasets if r.uid == pod.owner_uid)
            levels.append({**rs.deployment.template_labels, "pod-template-hash": rs.pod_template_hash})
            levels.append(labels_in_force(rs.deployment, t, model.snapshot_times))
        elif pod.owner_kind == "Job":
            job = next(j for j in model.jobs if j.uid == pod.owner_uid)
            levels.append(job.labels)
            if job.cronjob is not None:
                levels.append(labels_in_force(job.cronjob, t, model.snapshot_times))
        else:
            ctl = next(c for c in model.controllers if c.uid == pod.owner_uid)
            levels.append(labels_in_force(ctl, t, model.snapshot_times))
    ns = next(n for n in model.namespaces if n.name == pod.namespace)
    levels.append(ns.labels)
    if not seen:
        levels.append({sanitize_label_key(k): v for k, v in pod.labels.items()})  # OpenCost properties.labels
    return levels


def pod_owner(model: Model, pod: Pod, t: datetime) -> tuple[str | None, str | None]:
    """Per label key on its own (tenant and feature), the first level that has it."""
    levels = pod_owner_levels(model, pod, t)
    return (next((lv[TENANT_LABEL] for lv in levels if lv.get(TENANT_LABEL)), None),
            next((lv[FEATURE_LABEL] for lv in levels if lv.get(FEATURE_LABEL)), None))


def pod_owner_seconds(model: Model, pod: Pod, start: datetime, end: datetime) -> dict[tuple, Decimal]:
    """(tenant, feature) → seconds of [start, end) under that owner: the span is cut at every snapshot that can show
    a relabel (a relabelled controller's changes take effect there)."""
    cuts = sorted({t for t in model.snapshot_times if start < t < end})
    bounds = [start, *cuts, end]
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    for lo, hi in zip(bounds, bounds[1:]):
        out[pod_owner(model, pod, lo)] += Decimal(int((hi - lo).total_seconds()))
    return dict(out)


# ----------------------------------------------------------------------------------------------------------------
# the computation


@dataclass
class Truth:
    window: list[date]
    daily: dict[tuple[date, str], Decimal]  # (day, source_id) -> amount
    tenant_daily: dict[tuple[date, str], Decimal]  # (day, tenant_id | __idle__ | __unallocated__) -> amount
    node_daily: list[tuple[date, str, Decimal, Decimal, Decimal]]  # day, instance, B, pods, idle
    call_prices: dict[str, Decimal] = field(default_factory=dict)  # event_id -> cost
    feature_llm_cost: dict[str, Decimal] = field(default_factory=dict)

    def tenant_totals(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for (_, t), a in self.tenant_daily.items():
            out[t] += a
        return dict(out)


class _Day:
    def __init__(self) -> None:
        self.direct: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.shared_feature: dict[str, Decimal] = defaultdict(Decimal)
        self.pool = Decimal(0)
        self.idle = Decimal(0)
        self.unallocated = Decimal(0)

    def assign(self, amount: Decimal, tenant: str | None, feature: str | None, shared_ns: bool = False) -> None:
        if tenant:
            self.direct[(tenant, feature or UNALLOCATED)] += amount
        elif feature:
            self.shared_feature[feature] += amount
        elif shared_ns:
            self.pool += amount
        else:
            self.unallocated += amount


def compute_truth(model: Model) -> Truth:
    window = model.window
    in_window = set(window)
    days = {d: _Day() for d in window}
    daily: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    node_ids = {n.instance_id for n in model.nodes}
    b: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    users = {v.volume_id: v.mounts for v in model.storage.volumes} | {s.arn: s.selects for s in model.storage.services}
    resource_cost: dict[tuple[date, str], Decimal] = defaultdict(Decimal)

    # ---- the bill
    for row in model.cur_rows:
        if row["line_item_operation"] in SPLIT_OPERATIONS:
            continue
        eff = effective_cost(row)
        node_row = is_node_compute(row, node_ids)
        tags = row["resource_tags"] or {}
        for d, share in spread(eff, row["line_item_usage_start_date"], row["line_item_usage_end_date"]):
            if d not in in_window:
                continue
            daily[(d, "cur")] += share
            if node_row:
                b[(d, row["line_item_resource_id"])] += share
            elif row["line_item_resource_id"] in users:
                resource_cost[(d, row["line_item_resource_id"])] += share
            else:
                days[d].assign(share, tags.get(TENANT_TAG), tags.get(FEATURE_TAG), is_shared_service(row))

    # ---- node compute through OpenCost
    node_daily = []
    for d in window:
        day = days[d]
        pods_by_node: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        pod_of: dict[tuple[str, str], Pod] = {}
        span_of: dict[tuple[str, str], tuple[datetime, datetime]] = {}
        for a in model.allocations[d]:
            key = (a.pod.namespace, a.pod.name)
            pods_by_node[a.pod.node.instance_id][key] += a.weight
            pod_of[key] = a.pod
            span_of[key] = (a.start, a.end)  # every container of a pod shares the pod's span
        assets = {x.node.instance_id: x.total_cost for x in model.node_assets[d]}
        for node in model.nodes:
            bn = b.get((d, node.instance_id), Decimal(0))
            w = pods_by_node.get(node.instance_id, {})
            sw = sum(w.values(), Decimal(0))
            if (not w and node.instance_id in assets) or (w and sw == 0 and assets.get(node.instance_id, 0) > 0):
                day.idle += bn  # OpenCost saw the node but no pod weight on it: all idle
                node_daily.append((d, node.instance_id, bn, Decimal(0), bn))
                continue
            if not w or sw == 0:
                day.unallocated += bn  # no_opencost
                node_daily.append((d, node.instance_id, bn, Decimal(0), Decimal(0)))
                continue
            big_n = assets.get(node.instance_id, sw)
            if sw >= big_n:
                pieces = exact_split(bn, w)
            else:
                with localcontext() as ctx:
                    ctx.prec = 60
                    pieces = {k: (bn * v / big_n).quantize(NANO, rounding=ROUND_HALF_UP) for k, v in w.items()}
                if sum(pieces.values()) > bn:  # cannot happen with Σw < N, but never let idle go negative
                    pieces = exact_split(bn, w)
            pods_total = sum(pieces.values(), Decimal(0))
            idle = bn - pods_total
            day.idle += idle
            node_daily.append((d, node.instance_id, bn, pods_total, idle))
            for key in sorted(pieces):
                pod = pod_of[key]
                # the pod-day's cost over the owners its labels named, by seconds (int_pod_owners_resolved)
                seconds = pod_owner_seconds(model, pod, *span_of[key])
                by_key = {(t or "", f or ""): v for (t, f), v in seconds.items()}
                for (tenant, feature), amount in exact_split(pieces[key], by_key).items():
                    day.assign(amount, tenant or None, feature or None, pod.namespace in SHARED_NAMESPACES)

        # the day's volume and load balancer cost over the (pod, owner) pieces of the pods that used them
        for (rd, resource), amount in sorted(resource_cost.items()):
            if rd != d:
                continue
            pieces = {(*key, t or "", f or ""): v for key in sorted(pod_of)
                      if users[resource](pod_of[key]) and pod_of[key].seen_in_snapshots(model.snapshot_times)
                      for (t, f), v in pod_owner_seconds(model, pod_of[key], *span_of[key]).items()}
            if not pieces:
                day.unallocated += amount  # unmatched_volume / unmatched_load_balancer
            for (ns, _pod, tenant, feature), piece in exact_split(amount, pieces).items() if pieces else ():
                day.assign(piece, tenant or None, feature or None, ns in SHARED_NAMESPACES)

    # ---- LLM calls (provider-billed: direct)
    call_prices: dict[str, Decimal] = {}
    feature_llm: dict[str, Decimal] = defaultdict(Decimal)
    for call in model.llm_calls:
        price = price_llm_call(call)
        call_prices[call.event_id] = price
        d = call.usage_date
        if d not in in_window:
            continue
        daily[(d, f"llm:{call.provider_id}")] += price
        days[d].direct[(call.tenant_id, call.feature_id)] += price
        feature_llm[call.feature_id] += price

    # ---- request drivers: a sample at t covers (t - 1h, t] and belongs to the UTC day of t - 1h
    requests: dict[date, dict[str, dict[str, Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(Decimal)))
    for series in model.requests.values():
        for (t, f), samples in series.items():
            for ts, v in samples:
                requests[(datetime.fromtimestamp(ts, UTC) - timedelta(hours=1)).date()][f][t] += Decimal(v)

    tenant_daily = settle_days(window, sorted(t.id for t in model.tenants), days, requests)
    return Truth(window=window, daily=dict(daily), tenant_daily=tenant_daily, node_daily=node_daily,
                 call_prices=call_prices, feature_llm_cost=dict(feature_llm))


def settle_days(window: list[date], tenant_ids: list[str], days: dict[date, _Day],
                requests: dict[date, dict[str, dict[str, Decimal]]]) -> dict[tuple[date, str], Decimal]:
    """Each day's (day, tenant | __idle__ | __unallocated__) amounts: direct cost, shared workloads split by that
    day's requests (requests[day][feature][tenant]), then the shared pool over the (tenant, feature) pairs in
    proportion to their direct cost that day."""
    tenant_daily: dict[tuple[date, str], Decimal] = {}
    for d in window:
        day = days[d]
        out: dict[str, Decimal] = {t: Decimal(0) for t in tenant_ids}
        out[IDLE] = day.idle
        out[UNALLOCATED] = day.unallocated
        direct_by_tenant: dict[str, Decimal] = defaultdict(Decimal)
        for (t, _f), a in day.direct.items():
            direct_by_tenant[t] += a
        for t, a in direct_by_tenant.items():
            out[t] += a
        reqs = requests.get(d, {})
        for feature in sorted(day.shared_feature):
            amount = day.shared_feature[feature]
            weights = {t: v for t, v in reqs.get(feature, {}).items() if v > 0}
            if not weights:
                out[UNALLOCATED] += amount  # no_driver
                continue
            for t, piece in exact_split(amount, weights).items():
                out[t] += piece
        if day.pool:
            weights = {k: v for k, v in day.direct.items() if v > 0}
            if weights:
                # split over (tenant, feature) pairs in proportion to their direct cost that day
                for (t, _f), piece in exact_split(day.pool, weights).items():
                    out[t] += piece
            else:
                out[UNALLOCATED] += day.pool  # no_driver
        for t, a in out.items():
            tenant_daily[(d, t)] = a

    return tenant_daily


# ----------------------------------------------------------------------------------------------------------------
# files


def fmt(x: Decimal) -> str:
    x = x.quantize(NANO)
    return format(x if x != 0 else Decimal(0).quantize(NANO), "f")


# Written into every generated zone (the generator also uses it to recognise a zone it wrote).
TRUTH_README = """# Ground truth

Computed by `synthetic/ground_truth.py` from the generation model itself (never by running the
pipeline), under the default policy of docs/allocation.md, for the days of the window only. Money is exact
(Decimal, 9 decimals). Dates are UTC days.

- `daily_truth.csv` (usage_date, source_id, amount_usd): the truth per day and source. `cur` = Σ effective cost of
  every CUR row's share of the day (nano-dollar spread; EKSPod-EC2 split rows excluded); `llm:<provider>` = Σ of
  every call priced by genai-prices (variants valid on every date, each call rounded once to 9 decimals), provider =
  the genai-prices id of the invoicing provider (openai, anthropic, google). A (day, source) with no cost at all
  has no row (read a missing row as 0).
- `tenant_daily_cost.csv` (usage_date, tenant_id, amount_usd): every real tenant plus `__idle__` and
  `__unallocated__`, every day of the window (zeros included); per day it sums exactly to daily_truth.
- `node_daily.csv` (usage_date, instance_id, billed_compute_usd, pods_usd, idle_usd): per cluster node and day, B
  (effective cost of the node's compute rows) = pods_usd + idle_usd exactly.
"""


def write_truth(truth: Truth, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = sorted({s for _, s in truth.daily})
    write_csv(out_dir / "daily_truth.csv", ["usage_date", "source_id", "amount_usd"],
              ([d.isoformat(), s, fmt(truth.daily[(d, s)])] for d in truth.window for s in sources
               if (d, s) in truth.daily))
    write_csv(out_dir / "tenant_daily_cost.csv", ["usage_date", "tenant_id", "amount_usd"],
              ([d.isoformat(), t, fmt(truth.tenant_daily[(d, t)])] for (d, t) in sorted(truth.tenant_daily)))
    write_csv(out_dir / "node_daily.csv", ["usage_date", "instance_id", "billed_compute_usd", "pods_usd", "idle_usd"],
              ([d.isoformat(), iid, fmt(bn), fmt(pods), fmt(idle)]
               for d, iid, bn, pods, idle in sorted(truth.node_daily)))
    (out_dir / "README.md").write_text(TRUTH_README)
