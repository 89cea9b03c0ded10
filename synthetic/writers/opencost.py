"""OpenCost API responses per cluster and day: /allocation (one entry per container, no aggregation, plus __idle__)
and /assets (the nodes and their disks), as allocation.json and assets.json.

`step="1h"` writes /allocation as OpenCost's `step=1h` does: 24 sets, one per hour, each entry the container's part
of that hour (its start/end clipped to the hour, its costs split by minutes, exactly: the day's pieces sum to the
daily entry's costs to the last digit, so the pipeline's numbers are the same as with one daily set).
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from ..model import Model
from ..model.common import CLUSTER, GIB, day_start, iso_z
from ..model.opencost import Alloc, sanitize_label_key
from .kubectl import node_labels

# Every field of an /allocation entry after `minutes`, in the order OpenCost writes them, with the value it reports
# for what this cluster does not have (GPUs, PVs, load balancers, network, external and shared cost).
_ALLOCATION_FIELDS: dict[str, object] = {
    "cpuCores": 0, "cpuCoreRequestAverage": 0, "cpuCoreUsageAverage": 0, "cpuCoreHours": 0, "cpuCost": 0,
    "cpuCostAdjustment": 0, "cpuEfficiency": 0,
    "gpuCount": 0, "gpuHours": 0, "gpuCost": 0, "gpuCostAdjustment": 0,
    "networkTransferBytes": 0, "networkReceiveBytes": 0, "networkCost": 0, "networkCrossZoneCost": 0,
    "networkCrossRegionCost": 0, "networkInternetCost": 0, "networkCostAdjustment": 0,
    "loadBalancerCost": 0, "loadBalancerCostAdjustment": 0,
    "pvBytes": 0, "pvByteHours": 0, "pvCost": 0, "pvs": None, "pvCostAdjustment": 0,
    "ramBytes": 0, "ramByteRequestAverage": 0, "ramByteUsageAverage": 0, "ramByteHours": 0, "ramCost": 0,
    "ramCostAdjustment": 0, "ramEfficiency": 0,
    "externalCost": 0, "sharedCost": 0, "totalCost": 0, "totalEfficiency": 0,
    "proportionalAssetResourceCosts": {}, "lbAllocations": None, "sharedCostBreakdown": {},
}


def _f(x) -> float:
    return float(x)


def _r5(x: float) -> float:
    return round(x, 5)


def _allocation(name: str, properties: dict, window: dict, start: datetime, end: datetime, minutes: float,
                **values) -> dict:
    """One /allocation entry with every field OpenCost writes, in its order; `values` are the ones this entry has."""
    unknown = sorted(set(values) - set(_ALLOCATION_FIELDS))
    if unknown:
        raise KeyError(f"not an OpenCost allocation field: {unknown}")
    entry = {"name": name, "properties": properties, "window": window, "start": iso_z(start), "end": iso_z(end),
             "minutes": minutes}
    for key, absent in _ALLOCATION_FIELDS.items():
        entry[key] = values[key] if key in values else copy.copy(absent)
    return entry


def _resource_fields(resource: str, unit: str, amount: float, request: float, usage: float, unit_hours: Decimal,
                     cost: Decimal, adjustment: Decimal, efficiency: float) -> dict:
    """The seven fields OpenCost writes per resource: `cpu` in `Core`s, `ram` in `Byte`s (cpuCoreHours, ramBytes...)."""
    return {
        f"{resource}{unit}s": _r5(amount),
        f"{resource}{unit}RequestAverage": _r5(request),
        f"{resource}{unit}UsageAverage": _r5(usage),
        f"{resource}{unit}Hours": _f(unit_hours),
        f"{resource}Cost": _f(cost),
        f"{resource}CostAdjustment": _f(adjustment),
        f"{resource}Efficiency": min(efficiency, 1),
    }


def _container_allocation(a: Alloc, window: dict, namespace_labels: dict[str, str]) -> dict:
    p = a.pod
    cpu_cores = max(a.cpu_req, a.cpu_use)
    ram_bytes = max(a.ram_req, a.ram_use)
    cpu_eff = _r5(a.cpu_use / a.cpu_req) if a.cpu_req else 0
    ram_eff = _r5(a.ram_use / a.ram_req) if a.ram_req else 0
    tc = _f(a.cpu_cost + a.ram_cost)
    properties = {
        "cluster": CLUSTER,
        "node": p.node.name,
        "container": a.container.name,
        "controller": p.oc_controller,
        "controllerKind": p.oc_controller_kind,
        "namespace": p.namespace,
        "pod": p.name,
        "providerID": p.node.instance_id,
        "labels": {sanitize_label_key(k): v for k, v in sorted(p.labels.items())},
        "namespaceLabels": namespace_labels,
    }
    return _allocation(
        f"{CLUSTER}/{p.node.name}/{p.namespace}/{p.name}/{a.container.name}", properties, window, a.start, a.end,
        _f(a.minutes),
        **_resource_fields("cpu", "Core", cpu_cores, a.cpu_req, a.cpu_use, a.cpu_core_hours, a.cpu_cost, a.cpu_adj,
                           cpu_eff),
        **_resource_fields("ram", "Byte", ram_bytes, a.ram_req, a.ram_use, a.ram_byte_hours, a.ram_cost, a.ram_adj,
                           ram_eff),
        networkTransferBytes=a.net_tx,
        networkReceiveBytes=a.net_rx,
        **({"gpuCount": float(a.container.gpus), "gpuHours": _f(a.gpu_hours), "gpuCost": _f(a.gpu_cost)}
           if a.container.gpus else {}),
        totalCost=_f(a.total_cost),
        totalEfficiency=_r5(min(1.0, (cpu_eff * _f(a.cpu_cost) + ram_eff * _f(a.ram_cost)) / tc)) if tc else 0,
    )


def _allocations(model: Model, d: date, window: dict, ns_labels: dict[str, dict[str, str]]) -> dict[str, dict]:
    """The day's /allocation set: every container, then __idle__ (the nodes' cost and capacity nobody requested)."""
    lo, hi = day_start(d), day_start(d) + timedelta(days=1)
    allocs: dict[str, dict] = {}
    tot_cpu = tot_ram = Decimal(0)
    tot_cpu_h = tot_ram_h = 0.0
    for a in sorted(model.allocations[d], key=lambda a: (a.pod.node.name, a.pod.namespace, a.pod.name,
                                                            a.container.name)):
        entry = _container_allocation(a, window, ns_labels[a.pod.namespace])
        allocs[entry["name"]] = entry
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
    allocs["__idle__"] = _allocation(
        "__idle__", {"cluster": CLUSTER}, window, lo, hi, 1440.0,
        cpuCores=_r5(max(0.0, cap_cpu_h - tot_cpu_h) / 24),
        cpuCoreHours=_r5(max(0.0, cap_cpu_h - tot_cpu_h)),
        cpuCost=_f(idle_cpu),
        ramBytes=_r5(max(0.0, cap_ram_h - tot_ram_h) / 24),
        ramByteHours=_r5(max(0.0, cap_ram_h - tot_ram_h)),
        ramCost=_f(idle_ram),
        totalCost=_f(idle_cpu + idle_ram),
    )
    return allocs


def _split_by_minutes(amount: Decimal, minutes: list[int]) -> list[Decimal]:
    """`amount` over parts weighing `minutes`, to OpenCost's 5 decimals, each part rounded toward zero and the
    remainder on the longest part, so the parts sum to `amount` exactly and keep its sign."""
    total = sum(minutes)
    parts = [(amount * m / total).quantize(Decimal("0.00001"), rounding=ROUND_DOWN) for m in minutes]
    longest = minutes.index(max(minutes))
    parts[longest] += amount - sum(parts, Decimal(0))
    return parts


_HOURLY_MONEY = ("cpu_cost", "ram_cost", "cpu_adj", "ram_adj", "gpu_cost")
_HOURLY_FLOATS = ("cpu_core_hours", "ram_byte_hours", "gpu_hours")


def _hours_of(a: Alloc, d: date) -> list[Alloc]:
    """The allocation's part in each hour of day `d` it ran in (costs split exactly by minutes)."""
    lo = day_start(d)
    spans = []
    for h in range(24):
        s, e = max(a.start, lo + timedelta(hours=h)), min(a.end, lo + timedelta(hours=h + 1))
        if e > s:
            spans.append((s, e, int((e - s).total_seconds() // 60)))
    minutes = [m for _, _, m in spans]
    money = {f: _split_by_minutes(getattr(a, f), minutes) for f in _HOURLY_MONEY}
    parts = []
    for i, (s, e, m) in enumerate(spans):
        share = Decimal(m) / Decimal(int(a.minutes))
        parts.append(copy.copy(a))
        parts[-1].start, parts[-1].end, parts[-1].minutes = s, e, Decimal(m)
        for f in _HOURLY_MONEY:
            setattr(parts[-1], f, money[f][i])
        for f in _HOURLY_FLOATS:
            setattr(parts[-1], f, (getattr(a, f) * share).quantize(Decimal("0.00001")))
    return parts


def _hourly_allocations(model: Model, d: date, ns_labels: dict[str, dict[str, str]]) -> list[dict[str, dict]]:
    """The day's /allocation as 24 hourly sets (`step=1h`); OpenCost's __idle__ is left out (unitcost ignores it)."""
    sets: list[dict[str, dict]] = [{} for _ in range(24)]
    for a in sorted(model.allocations[d], key=lambda a: (a.pod.node.name, a.pod.namespace, a.pod.name,
                                                            a.container.name)):
        for part in _hours_of(a, d):
            hour = part.start.hour
            window = {"start": iso_z(day_start(d) + timedelta(hours=hour)),
                      "end": iso_z(day_start(d) + timedelta(hours=hour + 1))}
            entry = _container_allocation(part, window, ns_labels[a.pod.namespace])
            sets[hour][entry["name"]] = entry
    return sets


def _asset(account: str, asset_type: str, category: str, name: str, provider_id: str, labels: dict[str, str],
           window: dict) -> tuple[str, dict]:
    """An /assets key and the fields every asset type starts with (one whole day)."""
    key = f"AWS/{account}/__undefined__/{category}/{CLUSTER}/{asset_type}/Kubernetes/{provider_id}/{name}"
    return key, {
        "type": asset_type,
        "properties": {"category": category, "provider": "AWS", "account": account, "project": "__undefined__",
                       "service": "Kubernetes", "cluster": CLUSTER, "name": name, "providerID": provider_id},
        "labels": labels,
        "window": window,
        "start": window["start"],
        "end": window["end"],
        "minutes": 1440.0,
    }


def _assets(model: Model, d: date, window: dict) -> dict[str, dict]:
    """The day's /assets set: every node, then every node's root volume."""
    assets = sorted(model.node_assets[d], key=lambda x: x.node.name)
    asset_map: dict[str, dict] = {}
    for x in assets:
        n = x.node
        key, head = _asset(model.usage_account, "Node", "Compute", n.name, n.instance_id,
                           {sanitize_label_key(k): v for k, v in sorted(node_labels(n).items())}, window)
        asset_map[key] = {
            **head,
            "nodeType": n.instance_type,
            "pool": n.nodegroup,
            "cpuCores": float(n.cpu_cores),
            "ramBytes": float(n.ram_gib * GIB),
            "cpuCoreHours": float(n.cpu_cores * 24),
            "ramByteHours": float(n.ram_gib * GIB * 24),
            "GPUHours": float(x.gpu_hours),
            "cpuBreakdown": {"idle": 0.4, "other": 0.05, "system": 0.05, "user": 0.5},
            "ramBreakdown": {"idle": 0.4, "other": 0.05, "system": 0.05, "user": 0.5},
            "preemptible": 0.0,
            "discount": 0.0,
            "cpuCost": _f(x.cpu_cost),
            "gpuCost": _f(x.gpu_cost),
            "gpuCount": float(n.gpus),
            "ramCost": _f(x.ram_cost),
            "adjustment": 0.0,
            "overhead": {"CpuOverheadFraction": 0.02, "RamOverheadFraction": 0.08,
                         "OverheadCostFraction": 0.04},
            "totalCost": _f(x.total_cost),
        }
    for x in assets:
        n = x.node
        key, head = _asset(model.usage_account, "Disk", "Storage", n.volume_id, n.volume_id, {}, window)
        disk_cost = (Decimal(n.volume_gb) * Decimal("0.08") / 730 * 24).quantize(Decimal("0.000001"))
        asset_map[key] = {
            **head,
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
    return asset_map


def _write_response(path: Path, data) -> None:
    path.write_text(json.dumps({"code": 200, "status": "success", "data": data}, indent=2) + "\n")


def write_opencost(model: Model, root: Path, step: str = "1d") -> None:
    if step not in ("1d", "1h"):
        raise ValueError(f"OpenCost step {step!r}: expected 1d or 1h")
    ns_labels = {n.name: {sanitize_label_key(k): v for k, v in n.labels.items()} for n in model.namespaces}
    for d in model.window:
        window = {"start": iso_z(day_start(d)), "end": iso_z(day_start(d) + timedelta(days=1))}
        folder = root / CLUSTER / d.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        sets = ([_allocations(model, d, window, ns_labels)] if step == "1d"
                else _hourly_allocations(model, d, ns_labels))
        _write_response(folder / "allocation.json", sets)
        _write_response(folder / "assets.json", _assets(model, d, window))
