"""The whole model (`Model`) and `build_model`, which builds each part from its own named random stream, in a fixed
order: accounts, tenants, the cluster, OpenCost, ARNs, the bill, the export deliveries, LLM calls, request counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .cluster import ClusterBuilder
from .common import EXPORT_NAME, REGION, day_start, month_start, named_rng, random_uuid
from .cur import CurBuilder
from .kubernetes import Controller, Job, Namespace, Node, Pod, ReplicaSet
from .llm_calls import LlmCall, build_llm_calls
from .opencost import Alloc, NodeAsset, build_opencost
from .request_counts import build_requests
from .gpu import build_gpu_node_group, gpu_bill_rows
from .storage import Storage, bill_rows, build_storage
from .tenants import Tenant, build_tenants


@dataclass
class Model:
    start: date
    days: int
    seed: int
    scale: float
    window: list[date]
    payer_account: str
    usage_account: str
    tenants: list[Tenant]
    nodes: list[Node]
    namespaces: list[Namespace]
    controllers: list[Controller]
    replicasets: list[ReplicaSet]
    jobs: list[Job]
    pods: list[Pod]
    snapshot_times: list[datetime]
    allocations: dict[date, list[Alloc]]
    node_assets: dict[date, list[NodeAsset]]
    cur_rows: list[dict]
    billing_periods: list[date]
    llm_calls: list[LlmCall]
    requests: dict[date, dict[tuple[str, str], list[tuple[int, str]]]]  # day -> (tenant, feature) -> samples
    savings_plan_arn: str
    reservation_arn: str
    export_execution: dict[date, tuple[str, str]]  # billing period -> (timestamp folder, executionId)
    export_arn: str
    storage: Storage

    @property
    def window_end(self) -> datetime:
        return day_start(self.start + timedelta(days=self.days))

    @property
    def node_by_instance(self) -> dict[str, Node]:
        return {n.instance_id: n for n in self.nodes}

    def tenant(self, tid: str) -> Tenant:
        return next(t for t in self.tenants if t.id == tid)


def build_model(start: date, days: int, n_tenants: int, seed: int, scale: float = 1.0) -> Model:
    if days < 1 or n_tenants < 1 or scale <= 0:
        raise ValueError("days and tenants must be >= 1 and scale > 0")
    window = [start + timedelta(days=i) for i in range(days)]
    acct = named_rng(seed, "accounts")
    payer = str(acct.randrange(10**11, 10**12))
    usage_account = str(acct.randrange(10**11, 10**12))
    tenants = build_tenants(n_tenants, named_rng(seed, "tenants"))
    k8s = ClusterBuilder(start, days, tenants, named_rng(seed, "k8s"), scale)
    k8s.build()
    allocations, node_assets = build_opencost(k8s, window, named_rng(seed, "opencost"))
    ids = named_rng(seed, "ids")
    sp_arn = f"arn:aws:savingsplans::{payer}:savingsplan/{random_uuid(ids)}"
    ri_arn = f"arn:aws:ec2:{REGION}:{usage_account}:reserved-instances/{random_uuid(ids)}"
    export_arn = f"arn:aws:bcm-data-exports:{REGION}:{payer}:export/{EXPORT_NAME}-{random_uuid(ids)}"
    cur = CurBuilder(window, tenants, k8s, payer, usage_account, sp_arn, ri_arn, named_rng(seed, "cur"), scale)
    cur.build()
    storage = build_storage(k8s, usage_account, named_rng(seed, "storage"))
    bill_rows(cur, storage, window)
    gpu_node = build_gpu_node_group(k8s, allocations, node_assets, window, named_rng(seed, "gpu"))
    gpu_bill_rows(cur, gpu_node, window)
    periods = sorted({month_start(d) for d in window})
    execution = {}
    ex = named_rng(seed, "execution")
    for p in periods:
        last_in_period = max(d for d in window if month_start(d) == p)
        delivered = day_start(last_in_period + timedelta(days=1)) + timedelta(seconds=ex.randrange(2 * 3600, 6 * 3600))
        execution[p] = (delivered.strftime("%Y%m%dT%H%M%SZ"), random_uuid(ex))
    llm_calls = build_llm_calls(window, tenants, named_rng(seed, "llm"), scale)
    requests = build_requests(window, tenants, named_rng(seed, "requests"), scale)
    return Model(
        start=start, days=days, seed=seed, scale=scale, window=window, payer_account=payer,
        usage_account=usage_account, tenants=tenants, nodes=k8s.nodes, namespaces=k8s.namespaces,
        controllers=k8s.controllers, replicasets=k8s.replicasets, jobs=k8s.jobs, pods=k8s.pods,
        snapshot_times=k8s.snapshot_times, allocations=allocations, node_assets=node_assets, cur_rows=cur.rows,
        billing_periods=periods, llm_calls=llm_calls, requests=requests, savings_plan_arn=sp_arn,
        reservation_arn=ri_arn, export_execution=execution, export_arn=export_arn, storage=storage,
    )
