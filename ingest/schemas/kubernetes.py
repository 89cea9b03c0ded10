"""Raw tables of the cluster: OpenCost allocations and assets, kubectl objects and their refs."""

from __future__ import annotations

import polars as pl

from ingest.schemas.types import MONEY, TS

# One row per OpenCost /allocation entry (no aggregate: key cluster/node/namespace/pod/container), one day window.
OPENCOST_ALLOCATIONS: dict[str, pl.DataType] = {
    "cluster": pl.String,  # from the landing folder name (properties.cluster may be "default-cluster")
    "usage_date": pl.Date,  # the UTC day the row's window starts on (the landing folder's date for a daily dump)
    "window_start": TS,  # the row's set window (a day, or one hourly step)
    "window_end": TS,
    "allocation_name": pl.String,  # the map key, e.g. cluster/node/namespace/pod/container or __idle__
    "node": pl.String,
    "namespace": pl.String,
    "pod": pl.String,
    "container": pl.String,
    "provider_id": pl.String,  # properties.providerID (the instance id on AWS)
    "controller_kind": pl.String,
    "controller": pl.String,
    "minutes": pl.Float64,
    "cpu_core_hours": pl.Float64,
    "cpu_core_request_average": pl.Float64,
    "cpu_core_usage_average": pl.Float64,
    "ram_byte_hours": pl.Float64,
    "ram_byte_request_average": pl.Float64,
    "ram_byte_usage_average": pl.Float64,
    "gpu_hours": pl.Float64,
    "cpu_cost": MONEY,
    "cpu_cost_adjustment": MONEY,
    "ram_cost": MONEY,
    "ram_cost_adjustment": MONEY,
    "gpu_cost": MONEY,
    "gpu_cost_adjustment": MONEY,
    "pv_cost": MONEY,
    "network_cost": MONEY,
    "load_balancer_cost": MONEY,
    "shared_cost": MONEY,
    "external_cost": MONEY,
    "total_cost": MONEY,
    "labels": pl.String,  # JSON object: properties.labels (keys sanitized by OpenCost)
    "namespace_labels": pl.String,  # JSON object: properties.namespaceLabels
    "source_file": pl.String,
    # when the pod ran inside the window (the entry's own start/end): the seconds that split a pod-day between the
    # owners its labels named over the day (int_pod_owners_resolved)
    "running_start": TS,
    "running_end": TS,
}

# One row per OpenCost /assets entry (Node, Disk, LoadBalancer, ClusterManagement, ...), one day window.
OPENCOST_ASSETS: dict[str, pl.DataType] = {
    "cluster": pl.String,
    "usage_date": pl.Date,
    "window_start": TS,
    "window_end": TS,
    "asset_key": pl.String,
    "asset_type": pl.String,  # Node | Disk | LoadBalancer | ClusterManagement | Network | ...
    "name": pl.String,
    "provider_id": pl.String,  # properties.providerID
    "node_type": pl.String,
    "minutes": pl.Float64,
    "cpu_cores": pl.Float64,
    "ram_bytes": pl.Float64,
    "cpu_core_hours": pl.Float64,
    "ram_byte_hours": pl.Float64,
    "gpu_hours": pl.Float64,
    "cpu_cost": MONEY,
    "ram_cost": MONEY,
    "gpu_cost": MONEY,
    "adjustment": MONEY,
    "total_cost": MONEY,
    "labels": pl.String,  # JSON object
    "source_file": pl.String,
}

# One row per Kubernetes object in a kubectl `List` snapshot.
K8S_OBJECTS: dict[str, pl.DataType] = {
    "cluster": pl.String,
    "snapshot_at": TS,  # from the folder name <YYYY-MM-DDTHH-MM-SSZ>
    "usage_date": pl.Date,  # UTC date of snapshot_at (the partition)
    "kind": pl.String,  # Pod | Namespace | Node | Deployment | ReplicaSet | StatefulSet | DaemonSet | Job | CronJob
    "namespace": pl.String,  # null for cluster-scoped objects
    "name": pl.String,
    "uid": pl.String,
    "labels": pl.String,  # JSON object of metadata.labels (raw keys, not sanitized)
    "owner_kind": pl.String,  # the controller ownerReference (controller: true), else the first one
    "owner_name": pl.String,
    "owner_uid": pl.String,
    "node_name": pl.String,  # Pod: spec.nodeName
    "provider_id": pl.String,  # Node: spec.providerID, e.g. aws:///us-east-1a/i-0abc...
    "created_at": TS,  # metadata.creationTimestamp
    "phase": pl.String,  # Pod: status.phase
    "source_file": pl.String,
}

# What matching a volume or load balancer bill row needs of a snapshot's objects, one row per (object, ref, value)
# (ingest/kubernetes/kubectl.py, docs/kubernetes.md#volumes-and-load-balancers):
#   Pod                   claim          spec.volumes[].persistentVolumeClaim.claimName (the PVC, same namespace)
#   PersistentVolumeClaim volume_name    spec.volumeName (the PV it is bound to)
#   PersistentVolume      volume_id      the EBS volume id: spec.csi.volumeHandle or spec.awsElasticBlockStore.volumeID
#                         claim          spec.claimRef as <namespace>/<name>
#   Service               service_type   spec.type
#                         selector       one spec.selector pair as its JSON text, "key":"value"
#                         load_balancer  the AWS load balancer's name (annotation aws-load-balancer-name, else the
#                                        name part of status.loadBalancer.ingress[].hostname)
K8S_OBJECT_REFS: dict[str, pl.DataType] = {
    "cluster": pl.String,
    "snapshot_at": TS,
    "usage_date": pl.Date,
    "kind": pl.String,
    "namespace": pl.String,
    "name": pl.String,
    "uid": pl.String,
    "ref": pl.String,
    "value": pl.String,
    "source_file": pl.String,
}
