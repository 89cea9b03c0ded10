"""What OpenCost reports for the cluster: one /allocation entry per container of each pod and day (requests,
simulated usage, list-price cost at a 1-minute resolution) and one /assets node entry per node and day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from .cluster import ClusterBuilder
from .common import GIB, Q5, Q6, day_start, q
from .kubernetes import Container, Node, Pod


def sanitize_label_key(key: str) -> str:
    """A label key as OpenCost reports it (Prometheus label names): every character but ASCII letters, digits and
    `_` becomes `_`."""
    return "".join(ch if (ch.isascii() and (ch.isalnum() or ch == "_")) else "_" for ch in key)


@dataclass
class Alloc:
    """One OpenCost /allocation entry (one container of one pod, one day)."""

    pod: Pod
    container: Container
    start: datetime
    end: datetime
    minutes: Decimal
    cpu_req: float
    cpu_use: float
    ram_req: float
    ram_use: float
    cpu_core_hours: Decimal
    ram_byte_hours: Decimal
    cpu_cost: Decimal
    ram_cost: Decimal
    cpu_adj: Decimal
    ram_adj: Decimal
    net_tx: float
    net_rx: float
    gpu_hours: Decimal = Decimal(0)  # GPUs requested × hours (OpenCost counts GPUs by request)
    gpu_cost: Decimal = Decimal(0)

    @property
    def weight(self) -> Decimal:
        return self.cpu_cost + self.cpu_adj + self.ram_cost + self.ram_adj + self.gpu_cost

    @property
    def total_cost(self) -> Decimal:
        return self.weight


@dataclass
class NodeAsset:
    node: Node
    cpu_cost: Decimal
    ram_cost: Decimal
    total_cost: Decimal
    gpu_hours: Decimal = Decimal(0)
    gpu_cost: Decimal = Decimal(0)


def pod_day_allocations(pod: Pod, d: date) -> list[Alloc]:
    """The pod's /allocation entries of day `d` (one per container), at OpenCost's 1-minute resolution."""
    lo, hi = day_start(d), day_start(d) + timedelta(days=1)
    s = max(pod.start, lo)
    e = min(pod.end or hi, hi)
    if e <= s:
        return []
    s = s.replace(second=0, microsecond=0)
    ceil = timedelta(minutes=1) if e.second or e.microsecond else timedelta()
    e = min(e.replace(second=0, microsecond=0) + ceil, hi)
    minutes = Decimal(int((e - s).total_seconds() // 60))
    if minutes <= 0:
        return []
    prng = random.Random(pod.usage_seed * 1000003 + d.toordinal())
    hours = minutes / 60
    entries = []
    for cont in pod.containers:
        cpu_req = cont.cpu_m / 1000
        ram_req = float(cont.mem_mi * 1024 * 1024)
        cpu_use = round(cpu_req * prng.uniform(0.12, 1.25), 5)
        ram_use = round(ram_req * prng.uniform(0.35, 1.15), 5)
        cpu_cores = Decimal(str(max(cpu_req, cpu_use)))
        ram_bytes = Decimal(str(max(ram_req, ram_use)))
        cch = cpu_cores * hours
        rbh = ram_bytes * hours
        cpu_cost = q(cch * pod.node.cpu_price, Q5)
        ram_cost = q(rbh / GIB * pod.node.ram_price, Q5)
        if pod.node.pricing == "ri":  # OpenCost's own reconciliation nudged these a little
            cpu_adj, ram_adj = -q(cpu_cost * Decimal("0.03"), Q5), -q(ram_cost * Decimal("0.03"), Q5)
        else:
            cpu_adj = ram_adj = Decimal(0)
        gpu_hours = q(Decimal(cont.gpus) * hours, Q5)
        entries.append(Alloc(pod, cont, s, e, minutes, cpu_req, cpu_use, ram_req, ram_use, q(cch, Q5),
                             q(rbh, Q5), cpu_cost, ram_cost, cpu_adj, ram_adj,
                             round(prng.uniform(1e7, 5e9), 5), round(prng.uniform(1e7, 5e9), 5),
                             gpu_hours, q(gpu_hours * pod.node.gpu_price, Q5)))
    return entries


def node_day_asset(node: Node) -> NodeAsset:
    """The node's /assets entry of one whole day."""
    cpu_cost = q(Decimal(node.cpu_cores) * 24 * node.cpu_price, Q6)
    ram_cost = q(Decimal(node.ram_gib) * 24 * node.ram_price, Q6)
    gpu_cost = q(Decimal(node.gpus) * 24 * node.gpu_price, Q6)
    return NodeAsset(node, cpu_cost, ram_cost, cpu_cost + ram_cost + gpu_cost, Decimal(node.gpus * 24), gpu_cost)


def build_opencost(k8s: ClusterBuilder, window: list[date], rng: random.Random):
    allocations: dict[date, list[Alloc]] = {}
    node_assets: dict[date, list[NodeAsset]] = {}
    for d in window:
        allocations[d] = [a for pod in k8s.pods for a in pod_day_allocations(pod, d)]
        node_assets[d] = [node_day_asset(node) for node in k8s.nodes]
    return allocations, node_assets
