"""The cluster's GPU node group (docs/kubernetes.md#gpus): one g5.xlarge node (1 GPU) on demand for the whole window,
and one training Job of the first dedicated tenant that requests its GPU from 06:00 to 18:00 UTC of the window's
first day — so the node is idle half of that day, and all of the days after.

Built from its own random stream ("gpu") after the cluster, OpenCost and the bill are built, and appended to them, so
every other stream and every number they make stays as it was.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from .common import AZS, CLUSTER, Q6, day_start, q, random_hex, random_uuid
from .kubernetes import INSTANCE_TYPES, Container, Job, Node, Pod
from .opencost import Alloc, NodeAsset, node_day_asset, pod_day_allocations

GPU_TYPE = "g5.xlarge"
GPU_HOUR = Decimal("0.70")  # OpenCost's list price of the node's GPU per hour; the rest is CPU and RAM


def build_gpu_node_group(k8s, allocations: dict[date, list[Alloc]], node_assets: dict[date, list[NodeAsset]],
                         window: list[date], rng: random.Random) -> Node:
    cores, gib, od = INSTANCE_TYPES[GPU_TYPE][:3]
    rest = od - GPU_HOUR
    cpu_share = Decimal(cores) * Decimal("0.031611") / (Decimal(cores) * Decimal("0.031611")
                                                         + Decimal(gib) * Decimal("0.004237"))
    cpu_price = q(rest * cpu_share / cores, Q6)
    ip = f"10.0.{96 + rng.randrange(0, 32)}.{rng.randrange(2, 254)}"
    node = Node(name=f"ip-{ip.replace('.', '-')}.ec2.internal", uid=random_uuid(rng),
                instance_id="i-0" + random_hex(rng, 16), instance_type=GPU_TYPE, zone=AZS[0], nodegroup="gpu",
                pricing="od", created=k8s.t0 - timedelta(days=10), cpu_cores=cores, ram_gib=gib, od_hourly=od,
                cpu_price=cpu_price, ram_price=q((rest - cpu_price * cores) / gib, Decimal("0.0000000001")),
                volume_id="vol-0" + random_hex(rng, 16), volume_gb=100, ip=ip, gpus=1, gpu_price=GPU_HOUR)
    k8s.nodes.append(node)
    tenant = k8s.dedicated[0].id
    start = k8s.t0 + timedelta(hours=6)
    labels = {"app": "gpu-train", "tenant": tenant, "feature": "summarize"}
    containers = [Container("train", "registry.example.com/unitcost/train:0.3.1", 2000, 8192, gpus=1)]
    job = Job(name=f"gpu-train-{random_hex(rng, 5)}", uid=random_uuid(rng), namespace="batch", cronjob=None,
              labels=labels, template_labels=labels, containers=containers, created=start - timedelta(seconds=5),
              completed=start + timedelta(hours=12), removed=None)
    k8s.jobs.append(job)
    pod = Pod(namespace="batch", name=f"{job.name}-{random_hex(rng, 5)}", uid=random_uuid(rng), node=node,
              labels={**labels, "batch.kubernetes.io/job-name": job.name}, owner_kind="Job", owner_name=job.name,
              owner_uid=job.uid, containers=containers, start=start, end=start + timedelta(hours=12), removed=None,
              oc_controller=job.name, oc_controller_kind="job", ip=f"10.0.{ip.split('.')[2]}.{rng.randrange(2, 254)}",
              usage_seed=rng.getrandbits(32), terminates=True)
    k8s.pods.append(pod)
    for d in window:
        allocations[d].extend(pod_day_allocations(pod, d))
        node_assets[d].append(node_day_asset(node))
    return node


def gpu_bill_rows(cur, node: Node, window: list[date]) -> None:
    """The GPU node's on-demand compute, each day (its only CUR rows: no root-volume or transfer rows)."""
    for d in window:
        ds = day_start(d)
        cur.row(ds, ds + timedelta(days=1), "Usage", "AmazonEC2", f"USE1-BoxUsage:{GPU_TYPE}", "RunInstances",
                node.instance_id, node.od_hourly * 24, 24.0,
                f"${node.od_hourly} per On Demand Linux {GPU_TYPE} Instance Hour", unit="Hrs",
                family="Compute Instance", instance_type=GPU_TYPE, az=node.zone,
                tags={"aws_eks_cluster_name": CLUSTER, "user_team": "ml"}, rate=node.od_hourly)
