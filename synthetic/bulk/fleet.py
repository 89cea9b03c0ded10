"""The EKS fleet of a bulk zone: clusters with a `general` (m5.2xlarge) and a `memory` (r5.2xlarge) node group,
sized from the compute budget; per node three DaemonSet pods (kube-system, monitoring: the shared pool); per cluster
the shared api-gateway and search-svc (feature only: split by requests) and a debug pod nobody owns; per tenant a
Deployment whose replicas follow the tenant's size. Every replica is rescheduled now and then (a new pod name on
another node of its cluster), always on whole hours.

`pod_hours()` explodes the pods into OpenCost's hourly entries, with list-price costs in 1e-5 dollar units
(OpenCost's 5 decimals) computed from integer prices, so the truth and the files agree to the last digit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..model.common import AZS
from .budget import POD_HOURS_PER_TENANT_HOUR, eks_hourly_usd

# type: (vCPU, GiB, on-demand $/h in 1e-8, OpenCost list $/core-h and $/GiB-h in 1e-6)
NODE_TYPES = {"m5.2xlarge": (8, 32, 38_400_000, 31_611, 4_237), "r5.2xlarge": (8, 64, 50_400_000, 31_611, 4_237)}
GROUPS = (("general", "m5.2xlarge", 0.75), ("memory", "r5.2xlarge", 0.25))
DAEMONSETS = (("kube-system", "aws-node", 25, 64), ("kube-system", "kube-proxy", 100, 64),
              ("monitoring", "node-exporter", 50, 64))
MEAN_POD_LIFE_H = 60
FILL = 0.7  # requested share of each cluster's cores


@dataclass
class Fleet:
    clusters: list[str]
    nodes: pl.DataFrame  # cluster, node, instance_id, instance_type, nodegroup, zone, cores, gib, od_e8, cpu_e6, ram_e6
    pods: pl.DataFrame  # cluster, namespace, pod, container, controller, kind, node_idx, start_h, end_h, cpu_m, mem_mi,
    #                     tenant, feature, app


def _hex(rng: np.random.Generator, n: int, width: int) -> list[str]:
    digits = np.frombuffer(b"0123456789abcdef", dtype="S1")
    return [b"".join(r).decode() for r in digits[rng.integers(0, 16, size=(n, width))]]


def _suffix(rng: np.random.Generator, n: int, width: int) -> list[str]:
    alphabet = np.frombuffer(b"bcdfghjklmnpqrstvwxz2456789", dtype="S1")
    return [b"".join(r).decode() for r in alphabet[rng.integers(0, len(alphabet), size=(n, width))]]


def build_nodes(tenants: int, rng: np.random.Generator) -> tuple[list[str], pl.DataFrame]:
    budget = eks_hourly_usd(tenants)
    n_clusters = max(1, min(12, math.ceil(tenants / 170)))
    clusters = [f"prod-eks-{i + 1}" for i in range(n_clusters)]
    rows = []
    for group, itype, share in GROUPS:
        cores, gib, od, cpu, ram = NODE_TYPES[itype]
        count = max(n_clusters if group == "general" else 1, round(budget * share / (od / 1e8)))
        ids = _hex(rng, count, 16)
        for i in range(count):
            rows.append({"cluster": clusters[i % n_clusters], "instance_type": itype, "nodegroup": group,
                         "zone": AZS[i % 3], "cores": cores, "gib": gib, "od_e8": od, "cpu_e6": cpu, "ram_e6": ram,
                         "instance_id": "i-0" + ids[i]})
    nodes = pl.DataFrame(rows).with_columns(
        node=pl.format("ip-10-{}-{}-{}.ec2.internal", pl.int_range(pl.len()) // 250 // 250,
                       pl.int_range(pl.len()) // 250 % 250, pl.int_range(pl.len()) % 250 + 2))
    return clusters, nodes


def build_fleet(tenants, hours: int, rng: np.random.Generator, scale: float = 1.0) -> Fleet:
    """tenants: model.tenants.Tenant objects (size Σ = 1); hours: the window's length in hours."""
    clusters, nodes = build_nodes(len(tenants), rng)
    n_nodes = nodes.height
    node_cluster = nodes["cluster"].to_list()
    by_cluster = {c: [i for i, x in enumerate(node_cluster) if x == c] for c in clusters}
    slots = []  # (cluster, namespace, controller, kind, cpu_m, mem_mi, tenant, feature, app, fixed node | None)
    for i in range(n_nodes):
        for ns, name, cpu, mem in DAEMONSETS:
            slots.append((node_cluster[i], ns, name, "daemonset", cpu, mem, None, None, name, i))
    concurrent = POD_HOURS_PER_TENANT_HOUR * len(tenants) * scale
    tenant_pods = max(len(tenants), concurrent - len(slots) - 0.06 * concurrent)
    for c in clusters:
        per = max(1, round(0.025 * concurrent / len(clusters)))
        slots += [(c, "platform", "api-gateway", "deployment", 500, 1024, None, "api", "api-gateway", None)] * per
        slots += [(c, "platform", "search-svc", "deployment", 1000, 4096, None, "search", "search-svc", None)] * per
        slots.append((c, "default", "debug-shell", "deployment", 100, 128, None, None, "debug-shell", None))
    for k, t in enumerate(tenants):
        c = clusters[k % len(clusters)]
        feature = t.llm_features[0] if k % 4 else None  # every fourth tenant's workload names no feature
        replicas = max(1, round(t.size * tenant_pods))
        cpu = int(rng.choice([250, 500, 1000]))
        slots += [(c, f"tenant-{t.id}", "app", "deployment", cpu, cpu * 3, t.id, feature, "app", None)] * replicas
    # scale requests so each cluster is about FILL full
    cap = {c: sum(nodes["cores"][i] for i in by_cluster[c]) * 1000 for c in clusters}
    want = {c: sum(s[4] for s in slots if s[0] == c) for c in clusters}
    rows = []
    load = np.zeros(n_nodes)
    for s in slots:
        c = s[0]
        f = FILL * cap[c] / want[c]
        cpu = max(10, int(s[4] * f) // 10 * 10) if s[3] != "daemonset" else s[4]
        mem = max(16, int(s[5] * f)) if s[3] != "daemonset" else s[5]
        rows.append((s, cpu, mem))
    pods = []
    names = _suffix(rng, len(rows) * 64, 5)
    hashes = _suffix(rng, len(rows), 10)
    used = 0
    for j, (s, cpu, mem) in enumerate(rows):
        c, ns, ctl, kind, _, _, tenant, feature, app, fixed = s
        t0 = 0
        while t0 < hours:
            life = hours if fixed is not None else max(1, int(rng.exponential(MEAN_POD_LIFE_H)))
            t1 = min(hours, t0 + life)
            if fixed is not None:
                node = fixed
            else:
                members = by_cluster[c]
                cand = [members[int(x)] for x in rng.integers(0, len(members), size=2)]
                node = min(cand, key=lambda n: load[n])  # two random choices: a balanced cluster
            load[node] += cpu if t0 == 0 else 0
            name = f"{ctl}-{names[used]}" if kind == "daemonset" else f"{ctl}-{hashes[j]}-{names[used]}"
            used += 1
            pods.append((c, ns, name, ctl, ctl, kind, node, t0, t1, cpu, mem, tenant, feature, app))
            t0 = t1
    pods_df = pl.DataFrame(pods, orient="row", schema=[
        ("cluster", pl.Utf8), ("namespace", pl.Utf8), ("pod", pl.Utf8), ("container", pl.Utf8),
        ("controller", pl.Utf8), ("kind", pl.Utf8), ("node_idx", pl.Int32), ("start_h", pl.Int32),
        ("end_h", pl.Int32), ("cpu_m", pl.Int64), ("mem_mi", pl.Int64), ("tenant", pl.Utf8), ("feature", pl.Utf8),
        ("app", pl.Utf8)]).with_columns(pl.col(pl.Utf8).cast(pl.Categorical))
    return Fleet(clusters, nodes, pods_df)


def pod_hours(fleet: Fleet) -> pl.DataFrame:
    """One row per pod and hour it ran: hour (from the window start), cpu_cost / ram_cost in 1e-5 dollars
    (request x list price, rounded half up), the usage averages (below the request) and the node's columns."""
    nodes = fleet.nodes.with_row_index("node_idx").with_columns(pl.col("node_idx").cast(pl.Int32))
    df = (fleet.pods.with_row_index("pod_idx")
          .with_columns(hour=pl.int_ranges("start_h", "end_h")).explode("hour")
          .join(nodes.select("node_idx", pl.col("node", "instance_id").cast(pl.Categorical), "cpu_e6", "ram_e6"),
                on="node_idx"))
    # cpu: millicores x $/core-h (1e-6) = 1e-9 $; ram: MiB x $/GiB-h (1e-6) / 1024 = 1e-6 $ / 1024
    cpu_n = pl.col("cpu_m") * pl.col("cpu_e6")
    ram_n = pl.col("mem_mi") * pl.col("ram_e6")
    u = ((pl.col("pod_idx").cast(pl.UInt64) * 2654435761 + pl.col("hour").cast(pl.UInt64) * 40503) % 1000)
    return df.with_columns(
        cpu_cost=(cpu_n + 5000) // 10000,
        ram_cost=(2 * ram_n + 10240) // 20480,
        cpu_use=pl.col("cpu_m") / 1000 * (0.2 + 0.8 * u / 1000),
        ram_use=pl.col("mem_mi") * 1048576.0 * (0.3 + 0.7 * ((u * 7) % 1000) / 1000),
    )
