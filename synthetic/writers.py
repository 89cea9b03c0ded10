"""Serialize a generation model into the landing zone, in the formats the upstream tools write (docs/landing-zone.md).

Every writer is deterministic: fixed key order, no wall clock, sorted listings.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .model import (
    BUCKET,
    BUCKET_PREFIX,
    CLUSTER,
    EXPORT_NAME,
    GIB,
    REGION,
    Controller,
    Model,
    Pod,
    day_start,
    iso_z,
    next_month,
)

# ----------------------------------------------------------------------------------------------------------------
# CUR 2.0 (Data Exports, Parquet)

_S, _D = pa.string(), pa.float64()
_T = pa.timestamp("ms", tz="UTC")
_M = pa.map_(pa.string(), pa.string())

# (column, arrow type, the type the manifest / Glue names)
CUR_COLUMNS: list[tuple[str, pa.DataType, str]] = [
    ("bill_bill_type", _S, "string"),
    ("bill_billing_entity", _S, "string"),
    ("bill_billing_period_end_date", _T, "timestamp"),
    ("bill_billing_period_start_date", _T, "timestamp"),
    ("bill_invoice_id", _S, "string"),
    ("bill_invoicing_entity", _S, "string"),
    ("bill_payer_account_id", _S, "string"),
    ("bill_payer_account_name", _S, "string"),
    ("identity_line_item_id", _S, "string"),
    ("identity_time_interval", _S, "string"),
    ("line_item_availability_zone", _S, "string"),
    ("line_item_blended_cost", _D, "double"),
    ("line_item_currency_code", _S, "string"),
    ("line_item_legal_entity", _S, "string"),
    ("line_item_line_item_description", _S, "string"),
    ("line_item_line_item_type", _S, "string"),
    ("line_item_net_unblended_cost", _D, "double"),
    ("line_item_operation", _S, "string"),
    ("line_item_product_code", _S, "string"),
    ("line_item_resource_id", _S, "string"),
    ("line_item_tax_type", _S, "string"),
    ("line_item_unblended_cost", _D, "double"),
    ("line_item_unblended_rate", _S, "string"),
    ("line_item_usage_account_id", _S, "string"),
    ("line_item_usage_account_name", _S, "string"),
    ("line_item_usage_amount", _D, "double"),
    ("line_item_usage_end_date", _T, "timestamp"),
    ("line_item_usage_start_date", _T, "timestamp"),
    ("line_item_usage_type", _S, "string"),
    ("pricing_currency", _S, "string"),
    ("pricing_public_on_demand_cost", _D, "double"),
    ("pricing_public_on_demand_rate", _S, "string"),
    ("pricing_term", _S, "string"),
    ("pricing_unit", _S, "string"),
    ("product", _M, "map<string,string>"),
    ("product_instance_type", _S, "string"),
    ("product_operation", _S, "string"),
    ("product_product_family", _S, "string"),
    ("product_region_code", _S, "string"),
    ("product_servicecode", _S, "string"),
    ("product_usagetype", _S, "string"),
    ("reservation_amortized_upfront_cost_for_usage", _D, "double"),
    ("reservation_amortized_upfront_fee_for_billing_period", _D, "double"),
    ("reservation_effective_cost", _D, "double"),
    ("reservation_recurring_fee_for_usage", _D, "double"),
    ("reservation_reservation_a_r_n", _S, "string"),
    ("reservation_unused_amortized_upfront_fee_for_billing_period", _D, "double"),
    ("reservation_unused_quantity", _D, "double"),
    ("reservation_unused_recurring_fee", _D, "double"),
    ("resource_tags", _M, "map<string,string>"),
    ("savings_plan_amortized_upfront_commitment_for_billing_period", _D, "double"),
    ("savings_plan_net_savings_plan_effective_cost", _D, "double"),
    ("savings_plan_recurring_commitment_for_billing_period", _D, "double"),
    ("savings_plan_savings_plan_a_r_n", _S, "string"),
    ("savings_plan_savings_plan_effective_cost", _D, "double"),
    ("savings_plan_savings_plan_rate", _D, "double"),
    ("savings_plan_total_commitment_to_date", _D, "double"),
    ("savings_plan_used_commitment", _D, "double"),
    ("split_line_item_parent_resource_id", _S, "string"),
    ("split_line_item_public_on_demand_split_cost", _D, "double"),
    ("split_line_item_split_cost", _D, "double"),
    ("split_line_item_split_usage", _D, "double"),
    ("split_line_item_split_usage_ratio", _D, "double"),
    ("split_line_item_unused_cost", _D, "double"),
]
CUR_SCHEMA = pa.schema([pa.field(n, t) for n, t, _ in CUR_COLUMNS])
CUR_ROWS_PER_FILE = 200_000


def _cur_value(v, typ: pa.DataType):
    if isinstance(v, Decimal):
        return float(v)
    if typ == _M:
        return sorted((v or {}).items())
    if typ == _S and v is None:
        return ""
    return v


def write_cur(model: Model, root: Path) -> dict[date, list[str]]:
    """<root>/data/BILLING_PERIOD=YYYY-MM/<ts>-<executionId>/<export>-0000N.snappy.parquet + the manifest.
    Returns billing period -> the dataFiles URIs listed in its manifest."""
    listed: dict[date, list[str]] = {}
    for period in model.billing_periods:
        rows = [r for r in model.cur_rows if r["bill_billing_period_start_date"] == day_start(period)]
        ts, execution_id = model.export_execution[period]
        part = f"BILLING_PERIOD={period.strftime('%Y-%m')}"
        rel_dir = f"data/{part}/{ts}-{execution_id}"
        (root / rel_dir).mkdir(parents=True, exist_ok=True)
        uris = []
        for i in range(0, max(len(rows), 1), CUR_ROWS_PER_FILE):
            chunk = rows[i : i + CUR_ROWS_PER_FILE]
            fname = f"{EXPORT_NAME}-{i // CUR_ROWS_PER_FILE + 1:05d}.snappy.parquet"
            cols = {n: [_cur_value(r.get(n), t) for r in chunk] for n, t, _ in CUR_COLUMNS}
            table = pa.table({n: pa.array(cols[n], type=t) for n, t, _ in CUR_COLUMNS}, schema=CUR_SCHEMA)
            pq.write_table(table, root / rel_dir / fname, compression="snappy")
            uris.append(f"s3://{BUCKET}/{BUCKET_PREFIX}/{EXPORT_NAME}/{rel_dir}/{fname}")
        manifest = {
            "executionId": execution_id,
            "exportName": EXPORT_NAME,
            "exportArn": model.export_arn,
            "bucket": BUCKET,
            "billingPeriod": {
                "start": day_start(period).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "end": day_start(next_month(period)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            },
            "dataFiles": uris,
            "columns": [{"name": n, "type": t} for n, _, t in CUR_COLUMNS],
        }
        mdir = root / "metadata" / part
        mdir.mkdir(parents=True, exist_ok=True)
        (mdir / f"{EXPORT_NAME}-Manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        listed[period] = uris
    return listed


# ----------------------------------------------------------------------------------------------------------------
# OpenCost


def _f(x) -> float:
    return float(x)


def _r5(x: float) -> float:
    return round(x, 5)


def _sanitize(key: str) -> str:
    return "".join(ch if (ch.isascii() and (ch.isalnum() or ch == "_")) else "_" for ch in key)


def write_opencost(model: Model, root: Path) -> None:
    ns_labels = {n.name: {_sanitize(k): v for k, v in n.labels.items()} for n in model.namespaces}
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
                    "labels": {_sanitize(k): v for k, v in sorted(p.labels.items())},
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
                "labels": {_sanitize(k): v for k, v in sorted(_node_labels(n).items())},
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


# ----------------------------------------------------------------------------------------------------------------
# kubectl snapshots


def _cpu_q(m: int) -> str:
    return str(m // 1000) if m % 1000 == 0 else f"{m}m"


def _mem_q(mi: int) -> str:
    return f"{mi // 1024}Gi" if mi % 1024 == 0 else f"{mi}Mi"


def _rv(uid: str, t: datetime) -> str:
    return str(int(uid.replace("-", "")[:6], 16) + int(t.timestamp()) % 10_000_000)


def _containers(containers) -> list[dict]:
    return [
        {
            "image": c.image,
            "imagePullPolicy": "IfNotPresent",
            "name": c.name,
            "resources": {"requests": {"cpu": _cpu_q(c.cpu_m), "memory": _mem_q(c.mem_mi)},
                          "limits": {"memory": _mem_q(c.mem_mi)}},
        }
        for c in containers
    ]


def _node_labels(n) -> dict[str, str]:
    return {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/instance-type": n.instance_type,
        "beta.kubernetes.io/os": "linux",
        "eks.amazonaws.com/capacityType": "ON_DEMAND",
        "eks.amazonaws.com/nodegroup": n.nodegroup,
        "failure-domain.beta.kubernetes.io/region": REGION,
        "failure-domain.beta.kubernetes.io/zone": n.zone,
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": n.instance_type,
        "topology.kubernetes.io/region": REGION,
        "topology.kubernetes.io/zone": n.zone,
    }


def _owner(api_version: str, kind: str, name: str, uid: str) -> list[dict]:
    return [{"apiVersion": api_version, "blockOwnerDeletion": True, "controller": True, "kind": kind, "name": name,
             "uid": uid}]


def _pod_obj(p: Pod, t: datetime) -> dict:
    done = p.terminates and p.end is not None and t >= p.end
    api = {"ReplicaSet": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "Job": "batch/v1"}[p.owner_kind]
    meta = {
        "creationTimestamp": iso_z(p.start - timedelta(seconds=2)),
        "labels": dict(sorted(p.labels.items())),
        "name": p.name,
        "namespace": p.namespace,
        "ownerReferences": _owner(api, p.owner_kind, p.owner_name, p.owner_uid),
        "resourceVersion": _rv(p.uid, t),
        "uid": p.uid,
    }
    if p.owner_kind != "StatefulSet":
        meta["generateName"] = p.name[: p.name.rfind("-") + 1]
    if done:
        state = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": iso_z(p.start),
                                "finishedAt": iso_z(p.end)}}
    else:
        state = {"running": {"startedAt": iso_z(p.start)}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "containers": _containers(p.containers),
            "dnsPolicy": "ClusterFirst",
            "nodeName": p.node.name,
            "restartPolicy": "Never" if p.owner_kind == "Job" else "Always",
            "schedulerName": "default-scheduler",
            "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
        },
        "status": {
            "containerStatuses": [
                {"name": c.name, "image": c.image, "ready": not done, "restartCount": 0, "started": not done,
                 "state": state}
                for c in p.containers
            ],
            "hostIP": p.node.ip,
            "phase": "Succeeded" if done else "Running",
            "podIP": p.ip,
            "qosClass": "Burstable",
            "startTime": iso_z(p.start),
        },
    }


def _template(labels: dict, containers) -> dict:
    return {"metadata": {"labels": dict(sorted(labels.items()))},
            "spec": {"containers": _containers(containers), "restartPolicy": "Always"}}


def _selector(labels: dict) -> dict:
    key = next((k for k in ("app", "k8s-app", "app.kubernetes.io/name") if k in labels), None)
    return {"matchLabels": {key: labels[key]} if key else dict(labels)}


def _controller_obj(c: Controller, t: datetime, pods_at: list[Pod], jobs_at) -> dict:
    meta = {"creationTimestamp": iso_z(c.created), "generation": 1, "labels": dict(sorted(c.labels.items())),
            "name": c.name, "namespace": c.namespace, "resourceVersion": _rv(c.uid, t), "uid": c.uid}
    mine = [p for p in pods_at if p.owner_uid == c.uid
            or (c.kind == "Deployment" and any(rs.uid == p.owner_uid for rs in c.revisions))]
    running = [p for p in mine if not (p.terminates and p.end is not None and t >= p.end)]
    if c.kind == "Deployment":
        cur = [rs for rs in c.revisions if rs.created <= t][-1]
        running = [p for p in running if p.owner_uid == cur.uid] or running
        meta["annotations"] = {"deployment.kubernetes.io/revision": str(cur.revision)}
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                "spec": {"replicas": len(running), "selector": _selector(c.template_labels),
                         "strategy": {"type": "RollingUpdate",
                                      "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                         "template": _template(c.template_labels, c.containers)},
                "status": {"availableReplicas": len(running), "readyReplicas": len(running),
                           "replicas": len(running), "updatedReplicas": len(running),
                           "observedGeneration": 1}}
    if c.kind == "StatefulSet":
        return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta,
                "spec": {"replicas": c.replicas, "selector": _selector(c.template_labels), "serviceName": c.name,
                         "template": _template(c.template_labels, c.containers)},
                "status": {"availableReplicas": len(running), "readyReplicas": len(running),
                           "replicas": len(running), "currentReplicas": len(running)}}
    if c.kind == "DaemonSet":
        return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta,
                "spec": {"selector": _selector(c.template_labels),
                         "template": _template(c.template_labels, c.containers)},
                "status": {"currentNumberScheduled": len(running), "desiredNumberScheduled": len(running),
                           "numberAvailable": len(running), "numberReady": len(running)}}
    # CronJob
    mine_jobs = [j for j in jobs_at if j.cronjob is c]
    status: dict = {}
    if mine_jobs:
        status["lastScheduleTime"] = iso_z(max(j.created for j in mine_jobs).replace(second=0))
        done = [j.completed for j in mine_jobs if j.completed <= t]
        if done:
            status["lastSuccessfulTime"] = iso_z(max(done))
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
            "spec": {"concurrencyPolicy": "Forbid", "failedJobsHistoryLimit": 1, "schedule": c.schedule,
                     "successfulJobsHistoryLimit": 3, "suspend": False,
                     "jobTemplate": {"metadata": {"labels": dict(sorted(c.template_labels.items()))},
                                     "spec": {"backoffLimit": 2, "template": {
                                         "metadata": {"labels": dict(sorted(c.template_labels.items()))},
                                         "spec": {"containers": _containers(c.containers),
                                                  "restartPolicy": "Never"}}}}},
            "status": status}


def write_kubectl(model: Model, root: Path) -> None:
    ns_sorted = sorted(model.namespaces, key=lambda n: n.name)
    nodes_sorted = sorted(model.nodes, key=lambda n: n.name)
    ctl_sorted = sorted(model.controllers, key=lambda c: (c.namespace, c.name))
    for t in model.snapshot_times:
        items: list[dict] = []
        pods_at = [p for p in model.pods if p.in_api(t)]
        jobs_at = [j for j in model.jobs if j.created <= t and (j.removed is None or t < j.removed)]
        for p in sorted(pods_at, key=lambda p: (p.namespace, p.name)):
            items.append(_pod_obj(p, t))
        for n in ns_sorted:
            items.append({"apiVersion": "v1", "kind": "Namespace",
                          "metadata": {"creationTimestamp": iso_z(n.created), "labels": dict(sorted(n.labels.items())),
                                       "name": n.name, "resourceVersion": _rv(n.uid, n.created), "uid": n.uid},
                          "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
        for n in nodes_sorted:
            mem_ki = n.ram_gib * 1024 * 1024 - 600_000
            items.append({
                "apiVersion": "v1", "kind": "Node",
                "metadata": {"annotations": {"alpha.kubernetes.io/provided-node-ip": n.ip},
                             "creationTimestamp": iso_z(n.created), "labels": _node_labels(n), "name": n.name,
                             "resourceVersion": _rv(n.uid, t), "uid": n.uid},
                "spec": {"providerID": n.provider_id},
                "status": {
                    "addresses": [{"address": n.ip, "type": "InternalIP"}, {"address": n.name, "type": "Hostname"},
                                  {"address": n.name, "type": "InternalDNS"}],
                    "allocatable": {"cpu": f"{n.cpu_cores * 1000 - 90}m", "ephemeral-storage": "95551679124",
                                    "memory": f"{mem_ki - 1_000_000}Ki", "pods": "58"},
                    "capacity": {"cpu": str(n.cpu_cores), "ephemeral-storage": "104845292Ki",
                                 "memory": f"{mem_ki}Ki", "pods": "58"},
                    "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.22",
                                 "kernelVersion": "5.10.226-214.880.amzn2.x86_64",
                                 "kubeletVersion": "v1.30.4-eks-a737599",
                                 "operatingSystem": "linux", "osImage": "Amazon Linux 2"},
                },
            })
        for c in ctl_sorted:
            if c.kind == "Deployment" and c.created <= t:
                items.append(_controller_obj(c, t, pods_at, jobs_at))
        rs_at = sorted((rs for rs in model.replicasets if rs.created <= t), key=lambda r: (r.namespace, r.name))
        for rs in rs_at:
            dep = rs.deployment
            n_pods = sum(1 for p in pods_at if p.owner_uid == rs.uid)
            items.append({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"annotations": {"deployment.kubernetes.io/desired-replicas": str(dep.replicas),
                                             "deployment.kubernetes.io/revision": str(rs.revision)},
                             "creationTimestamp": iso_z(rs.created),
                             "labels": dict(sorted({**dep.template_labels,
                                                    "pod-template-hash": rs.pod_template_hash}.items())),
                             "name": rs.name, "namespace": rs.namespace,
                             "ownerReferences": _owner("apps/v1", "Deployment", dep.name, dep.uid),
                             "resourceVersion": _rv(rs.uid, t), "uid": rs.uid},
                "spec": {"replicas": n_pods,
                         "selector": {"matchLabels": {**_selector(dep.template_labels)["matchLabels"],
                                                      "pod-template-hash": rs.pod_template_hash}},
                         "template": _template({**dep.template_labels, "pod-template-hash": rs.pod_template_hash},
                                               dep.containers)},
                "status": {"replicas": n_pods, "readyReplicas": n_pods, "availableReplicas": n_pods,
                           "fullyLabeledReplicas": n_pods, "observedGeneration": 1},
            })
        for kind in ("StatefulSet", "DaemonSet"):
            for c in ctl_sorted:
                if c.kind == kind and c.created <= t:
                    items.append(_controller_obj(c, t, pods_at, jobs_at))
        for j in sorted(jobs_at, key=lambda j: (j.namespace, j.name)):
            done = t >= j.completed
            meta = {"creationTimestamp": iso_z(j.created), "generation": 1,
                    "labels": dict(sorted(j.labels.items())), "name": j.name, "namespace": j.namespace,
                    "resourceVersion": _rv(j.uid, t), "uid": j.uid}
            if j.cronjob is not None:
                meta["ownerReferences"] = _owner("batch/v1", "CronJob", j.cronjob.name, j.cronjob.uid)
            status = {"startTime": iso_z(j.created)}
            if done:
                status.update({"completionTime": iso_z(j.completed), "succeeded": 1, "ready": 0})
            else:
                status.update({"active": 1, "ready": 1})
            spec = {"backoffLimit": 2, "completions": 1, "parallelism": 1,
                    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": j.uid}},
                    "template": {"metadata": {"labels": dict(sorted(j.template_labels.items()))},
                                 "spec": {"containers": _containers(j.containers), "restartPolicy": "Never"}}}
            if j.cronjob is None:
                spec["ttlSecondsAfterFinished"] = 0
            items.append({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": spec, "status": status})
        for c in ctl_sorted:
            if c.kind == "CronJob" and c.created <= t:
                items.append(_controller_obj(c, t, pods_at, jobs_at))
        folder = root / CLUSTER / t.strftime("%Y-%m-%dT%H-%M-%SZ")
        folder.mkdir(parents=True, exist_ok=True)
        doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
        (folder / "objects.json").write_text(json.dumps(doc, indent=2) + "\n")


# ----------------------------------------------------------------------------------------------------------------
# LLM native JSONL


LLM_LINES_PER_FILE = 5000


def _timestamp(call) -> str:
    local = call.at.astimezone(UTC) + timedelta(minutes=call.offset_min)
    s = local.strftime("%Y-%m-%dT%H:%M:%S")
    if call.millis:
        s += f".{local.microsecond // 1000:03d}"
    if call.offset_style == "Z":
        return s + "Z"
    if call.offset_style == "+00:00" or call.offset_min == 0:
        return s + "+00:00"
    sign = "+" if call.offset_min >= 0 else "-"
    h, m = divmod(abs(call.offset_min), 60)
    return f"{s}{sign}{h:02d}:{m:02d}"


def llm_event(call) -> dict:
    e: dict = {
        "timestamp": _timestamp(call),
        "event_id": call.event_id,
        "tenant.id": call.tenant_id,
        "feature.id": call.feature_id,
        "gen_ai.provider.name": call.provider_name,
        "gen_ai.request.model": call.request_model,
        "gen_ai.response.model": call.response_model,
        "gen_ai.usage.input_tokens": call.input_tokens,
        "gen_ai.usage.output_tokens": call.output_tokens,
        "gen_ai.usage.cache_read.input_tokens": call.cache_read,
    }
    if call.provider_name == "anthropic":
        e["gen_ai.usage.cache_creation.input_tokens"] = call.cache_creation
        if call.cache_creation_1h:
            e["cache_creation_1h.input_tokens"] = call.cache_creation_1h
    if call.request_model == "o3" or call.provider_name == "gcp.gemini":
        e["gen_ai.usage.reasoning.output_tokens"] = call.reasoning
    e["gen_ai.conversation.id"] = call.conversation_id
    e["service_tier"] = call.service_tier
    e["batch"] = call.batch
    e.update(call.extra)
    return e


def write_llm(model: Model, root: Path) -> None:
    by_folder: dict[date, list] = {}
    for call in model.llm_calls:
        by_folder.setdefault(call.folder_date, []).append(call)
    for folder_day in sorted(by_folder):
        calls = sorted(by_folder[folder_day], key=lambda c: (c.at, c.event_id))
        folder = root / folder_day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(0, len(calls), LLM_LINES_PER_FILE):
            lines = [json.dumps(llm_event(c), separators=(",", ":")) for c in calls[i : i + LLM_LINES_PER_FILE]]
            (folder / f"events-{i // LLM_LINES_PER_FILE + 1}.jsonl").write_text("\n".join(lines) + "\n")


# ----------------------------------------------------------------------------------------------------------------
# requests (Prometheus query_range)


def write_requests(model: Model, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for d in model.window:
        series = model.requests[d]
        result = [{"metric": {"feature": f, "tenant": t}, "values": [[ts, v] for ts, v in series[(t, f)]]}
                  for (t, f) in sorted(series, key=lambda k: (k[1], k[0]))]
        doc = {"status": "success", "data": {"resultType": "matrix", "result": result}}
        (root / f"{d.isoformat()}.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n")


# ----------------------------------------------------------------------------------------------------------------
# business data and the config


def _write_csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_business(root: Path, tenants_rows, revenue_rows, budget_rows) -> None:
    root.mkdir(parents=True, exist_ok=True)
    _write_csv(root / "tenants.csv", ["tenant_id", "tenant_name", "plan"], tenants_rows)
    _write_csv(root / "revenue.csv", ["month", "tenant_id", "mrr_usd"], revenue_rows)
    _write_csv(root / "budgets.csv", ["month", "feature_id", "budget_usd"], budget_rows)


CONFIG_TEMPLATE = """\
# unitcost configuration written by `unitcost generate` (synthetic landing zone, seed {seed}).
# Relative paths are relative to this file's folder. The ground truth is in ground_truth/.
start_date: {start}
currency: USD
warehouse:
  engine: duckdb
  path: warehouse/unitcost.duckdb
  serving_path: warehouse/unitcost_serving.duckdb
attribution:
  tenant_label: tenant
  feature_label: feature
  tenant_tag: user_tenant
  feature_tag: user_feature
sources:
  cur: {{uri: landing/cur/{export}, name: cur}}
  opencost: {{uri: landing/opencost}}
  kubernetes: {{uri: landing/kubernetes}}
  llm: {{uri: landing/llm}}
  requests: {{uri: landing/requests}}
  business: {{uri: landing/business}}
"""


def write_config(path: Path, start: date, seed: int) -> None:
    path.write_text(CONFIG_TEMPLATE.format(start=start.isoformat(), seed=seed, export=EXPORT_NAME))
