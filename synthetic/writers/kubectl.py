"""`kubectl get ... -o json` List snapshots of the cluster every 6 hours: pods, namespaces, nodes, Deployments,
ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, PersistentVolumes, PersistentVolumeClaims and Services as the
API server held them at that instant.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from ..model import Model
from ..model.common import CLUSTER, REGION, iso_z
from ..model.kubernetes import Controller, Pod
from ..model.storage import Storage


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


def node_labels(n) -> dict[str, str]:
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


def _pod_obj(p: Pod, t: datetime, claims: list[str]) -> dict:
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
            **({"volumes": [{"name": claim, "persistentVolumeClaim": {"claimName": claim}} for claim in claims]}
               if claims else {}),
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
    meta = {"creationTimestamp": iso_z(c.created), "generation": 1, "labels": dict(sorted(c.labels_at(t).items())),
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
            items.append(_pod_obj(p, t, model.storage.claims_of(p)))
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
                             "creationTimestamp": iso_z(n.created), "labels": node_labels(n), "name": n.name,
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
        items.extend(storage_objects(model.storage, t))
        folder = root / CLUSTER / t.strftime("%Y-%m-%dT%H-%M-%SZ")
        folder.mkdir(parents=True, exist_ok=True)
        doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
        (folder / "objects.json").write_text(json.dumps(doc, indent=2) + "\n")


def storage_objects(storage: Storage, t: datetime) -> list[dict]:
    """The PVs (EBS CSI), their PVCs and the LoadBalancer Services, as every snapshot shows them."""
    created = iso_z(t - timedelta(days=30))
    items: list[dict] = []
    for v in storage.volumes:
        spec = {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": f"{v.gb}Gi"},
                "csi": {"driver": "ebs.csi.aws.com", "fsType": "ext4", "volumeHandle": v.volume_id},
                "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "gp3"}
        if v.claim:
            spec["claimRef"] = {"kind": "PersistentVolumeClaim", "namespace": v.claim[0], "name": v.claim[1],
                                "uid": v.pvc_uid}
        items.append({"apiVersion": "v1", "kind": "PersistentVolume",
                      "metadata": {"creationTimestamp": created, "name": v.pv_name, "uid": v.pv_uid},
                      "spec": spec, "status": {"phase": "Bound" if v.claim else "Released"}})
        if v.claim:
            items.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                          "metadata": {"creationTimestamp": created, "name": v.claim[1], "namespace": v.claim[0],
                                       "uid": v.pvc_uid},
                          "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": f"{v.gb}Gi"}},
                                   "storageClassName": "gp3", "volumeName": v.pv_name},
                          "status": {"phase": "Bound"}})
    for s in storage.services:
        items.append({"apiVersion": "v1", "kind": "Service",
                      "metadata": {"creationTimestamp": created, "name": s.name, "namespace": s.namespace,
                                   "uid": s.uid, "labels": {"app": s.name},
                                   "annotations": {"service.beta.kubernetes.io/aws-load-balancer-type": "external"}},
                      "spec": {"type": "LoadBalancer", "selector": dict(sorted(s.selector.items())),
                               "ports": [{"port": 443, "protocol": "TCP", "targetPort": 8443}]},
                      "status": {"loadBalancer": {"ingress": [{"hostname": s.hostname}]}}})
    return items
