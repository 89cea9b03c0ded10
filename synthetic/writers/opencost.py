"""OpenCost API responses per cluster and day: /allocation (one entry per container, no aggregation, plus __idle__)
and /assets (the nodes and their disks), as allocation.json and assets.json.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from ..model import Model
from ..model.common import CLUSTER, GIB, day_start, iso_z
from ..model.opencost import sanitize_label_key
from .kubectl import node_labels


def _f(x) -> float:
    return float(x)


def _r5(x: float) -> float:
    return round(x, 5)


def write_opencost(model: Model, root: Path) -> None:
    ns_labels = {n.name: {sanitize_label_key(k): v for k, v in n.labels.items()} for n in model.namespaces}
    for d in model.window:
        lo, hi = day_start(d), day_start(d) + timedelta(days=1)
        window = {"start": iso_z(lo), "end": iso_z(hi)}
        allocs: dict[str, dict] = {}
        tot_cpu = tot_ram = Decimal(0)
        tot_cpu_h = tot_ram_h = 0.0
        for a in sorted(model.allocations[d], key=lambda a: (a.pod.node.name, a.pod.namespace, a.pod.name,
                                                                a.container.name)):
            p = a.pod
            key = f"{CLUSTER}/{p.node.name}/{p.namespace}/{p.name}/{a.container.name}"
            cpu_cores = max(a.cpu_req, a.cpu_use)
            ram_bytes = max(a.ram_req, a.ram_use)
            cpu_eff = _r5(a.cpu_use / a.cpu_req) if a.cpu_req else 0
            ram_eff = _r5(a.ram_use / a.ram_req) if a.ram_req else 0
            tc = _f(a.cpu_cost + a.ram_cost)
            allocs[key] = {
                "name": key,
                "properties": {
                    "cluster": CLUSTER,
                    "node": p.node.name,
                    "container": a.container.name,
                    "controller": p.oc_controller,
                    "controllerKind": p.oc_controller_kind,
                    "namespace": p.namespace,
                    "pod": p.name,
                    "providerID": p.node.instance_id,
                    "labels": {sanitize_label_key(k): v for k, v in sorted(p.labels.items())},
                    "namespaceLabels": ns_labels[p.namespace],
                },
                "window": window,
                "start": iso_z(a.start),
                "end": iso_z(a.end),
                "minutes": _f(a.minutes),
                "cpuCores": _r5(cpu_cores),
                "cpuCoreRequestAverage": _r5(a.cpu_req),
                "cpuCoreUsageAverage": _r5(a.cpu_use),
                "cpuCoreHours": _f(a.cpu_core_hours),
                "cpuCost": _f(a.cpu_cost),
                "cpuCostAdjustment": _f(a.cpu_adj),
                "cpuEfficiency": min(cpu_eff, 1),
                "gpuCount": 0,
                "gpuHours": 0,
                "gpuCost": 0,
                "gpuCostAdjustment": 0,
                "networkTransferBytes": a.net_tx,
                "networkReceiveBytes": a.net_rx,
                "networkCost": 0,
                "networkCrossZoneCost": 0,
                "networkCrossRegionCost": 0,
                "networkInternetCost": 0,
                "networkCostAdjustment": 0,
                "loadBalancerCost": 0,
                "loadBalancerCostAdjustment": 0,
                "pvBytes": 0,
                "pvByteHours": 0,
                "pvCost": 0,
                "pvs": None,
                "pvCostAdjustment": 0,
                "ramBytes": _r5(ram_bytes),
                "ramByteRequestAverage": _r5(a.ram_req),
                "ramByteUsageAverage": _r5(a.ram_use),
                "ramByteHours": _f(a.ram_byte_hours),
                "ramCost": _f(a.ram_cost),
                "ramCostAdjustment": _f(a.ram_adj),
                "ramEfficiency": min(ram_eff, 1),
                "externalCost": 0,
                "sharedCost": 0,
                "totalCost": _f(a.total_cost),
                "totalEfficiency": _r5(min(1.0, (cpu_eff * _f(a.cpu_cost) + ram_eff * _f(a.ram_cost)) / tc))
                if tc else 0,
                "proportionalAssetResourceCosts": {},
                "lbAllocations": None,
                "sharedCostBreakdown": {},
            }
            tot_cpu += a.cpu_cost
            tot_ram += a.ram_cost
            tot_cpu_h += float(a.cpu_core_hours)
            tot_ram_h += float(a.ram_byte_hours)
        assets = model.node_assets[d]
        node_cpu = sum((x.cpu_cost for x in assets), Decimal(0))
        node_ram = sum((x.ram_cost for x in assets), Decimal(0))
        idle_cpu = max(Decimal(0), node_cpu - tot_cpu).quantize(Decimal("0.00001"))
        idle_ram = max(Decimal(0), node_ram - tot_ram).quantize(Decimal("0.00001"))
        cap_cpu_h = sum(x.node.cpu_cores * 24 for x in assets)
        cap_ram_h = sum(x.node.ram_gib * GIB * 24 for x in assets)
        allocs["__idle__"] = {
            "name": "__idle__",
            "properties": {"cluster": CLUSTER},
            "window": window,
            "start": iso_z(lo),
            "end": iso_z(hi),
            "minutes": 1440.0,
            "cpuCores": _r5(max(0.0, cap_cpu_h - tot_cpu_h) / 24),
            "cpuCoreRequestAverage": 0,
            "cpuCoreUsageAverage": 0,
            "cpuCoreHours": _r5(max(0.0, cap_cpu_h - tot_cpu_h)),
            "cpuCost": _f(idle_cpu),
            "cpuCostAdjustment": 0,
            "cpuEfficiency": 0,
            "gpuCount": 0,
            "gpuHours": 0,
            "gpuCost": 0,
            "gpuCostAdjustment": 0,
            "networkTransferBytes": 0,
            "networkReceiveBytes": 0,
            "networkCost": 0,
            "networkCrossZoneCost": 0,
            "networkCrossRegionCost": 0,
            "networkInternetCost": 0,
            "networkCostAdjustment": 0,
            "loadBalancerCost": 0,
            "loadBalancerCostAdjustment": 0,
            "pvBytes": 0,
            "pvByteHours": 0,
            "pvCost": 0,
            "pvs": None,
            "pvCostAdjustment": 0,
            "ramBytes": _r5(max(0.0, cap_ram_h - tot_ram_h) / 24),
            "ramByteRequestAverage": 0,
            "ramByteUsageAverage": 0,
            "ramByteHours": _r5(max(0.0, cap_ram_h - tot_ram_h)),
            "ramCost": _f(idle_ram),
            "ramCostAdjustment": 0,
            "ramEfficiency": 0,
            "externalCost": 0,
            "sharedCost": 0,
            "totalCost": _f(idle_cpu + idle_ram),
            "totalEfficiency": 0,
            "proportionalAssetResourceCosts": {},
            "lbAllocations": None,
            "sharedCostBreakdown": {},
        }
        folder = root / CLUSTER / d.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "allocation.json").write_text(
            json.dumps({"code": 200, "status": "success", "data": [allocs]}, indent=2) + "\n")

        asset_map: dict[str, dict] = {}
        for x in sorted(assets, key=lambda x: x.node.name):
            n = x.node
            key = f"AWS/{model.usage_account}/__undefined__/Compute/{CLUSTER}/Node/Kubernetes/{n.instance_id}/{n.name}"
            asset_map[key] = {
                "type": "Node",
                "properties": {"category": "Compute", "provider": "AWS", "account": model.usage_account,
                               "project": "__undefined__", "service": "Kubernetes", "cluster": CLUSTER,
                               "name": n.name, "providerID": n.instance_id},
                "labels": {sanitize_label_key(k): v for k, v in sorted(node_labels(n).items())},
                "window": window,
                "start": iso_z(lo),
                "end": iso_z(hi),
                "minutes": 1440.0,
                "nodeType": n.instance_type,
                "pool": n.nodegroup,
                "cpuCores": float(n.cpu_cores),
                "ramBytes": float(n.ram_gib * GIB),
                "cpuCoreHours": float(n.cpu_cores * 24),
                "ramByteHours": float(n.ram_gib * GIB * 24),
                "GPUHours": 0.0,
                "cpuBreakdown": {"idle": 0.4, "other": 0.05, "system": 0.05, "user": 0.5},
                "ramBreakdown": {"idle": 0.4, "other": 0.05, "system": 0.05, "user": 0.5},
                "preemptible": 0.0,
                "discount": 0.0,
                "cpuCost": _f(x.cpu_cost),
                "gpuCost": 0.0,
                "gpuCount": 0.0,
                "ramCost": _f(x.ram_cost),
                "adjustment": 0.0,
                "overhead": {"CpuOverheadFraction": 0.02, "RamOverheadFraction": 0.08,
                             "OverheadCostFraction": 0.04},
                "totalCost": _f(x.total_cost),
            }
        for x in sorted(assets, key=lambda x: x.node.name):
            n = x.node
            key = (f"AWS/{model.usage_account}/__undefined__/Storage/{CLUSTER}/Disk/Kubernetes/"
                   f"{n.volume_id}/{n.volume_id}")
            disk_cost = (Decimal(n.volume_gb) * Decimal("0.08") / 730 * 24).quantize(Decimal("0.000001"))
            asset_map[key] = {
                "type": "Disk",
                "properties": {"category": "Storage", "provider": "AWS", "account": model.usage_account,
                               "project": "__undefined__", "service": "Kubernetes", "cluster": CLUSTER,
                               "name": n.volume_id, "providerID": n.volume_id},
                "labels": {},
                "window": window,
                "start": iso_z(lo),
                "end": iso_z(hi),
                "minutes": 1440.0,
                "byteHours": float(n.volume_gb * GIB * 24),
                "bytes": float(n.volume_gb * GIB),
                "byteHoursUsed": None,
                "byteUsageMax": None,
                "breakdown": {"idle": 0, "other": 0, "system": 1, "user": 0},
                "adjustment": 0.0,
                "totalCost": float(disk_cost),
                "storageClass": "gp3",
                "volumeName": "",
                "claimName": "",
                "claimNamespace": "",
                "local": 1.0,
            }
        (folder / "assets.json").write_text(
            json.dumps({"code": 200, "status": "success", "data": asset_map}, indent=2) + "\n")
