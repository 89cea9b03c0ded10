"""The Kubernetes objects the cluster is made of (nodes, namespaces, controllers, ReplicaSets, Jobs, pods), with the
EC2 instance types the nodes run on and their prices. `cluster.py` builds them; the writers serialize them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

INSTANCE_TYPES = {
    # type: (vCPU, GiB, on-demand $/h, Compute Savings Plan $/h, RI effective $/h, RI amortized upfront $/h)
    "m5.2xlarge": (8, 32, Decimal("0.384"), Decimal("0.2764"), Decimal("0.2420"), Decimal("0.1130")),
    "m5.xlarge": (4, 16, Decimal("0.192"), Decimal("0.1382"), Decimal("0.1210"), Decimal("0.0565")),
    "r5.2xlarge": (8, 64, Decimal("0.504"), Decimal("0.3629"), Decimal("0.3180"), Decimal("0.1485")),
    "g5.xlarge": (4, 16, Decimal("1.006"), Decimal("0.7243"), Decimal("0.6340"), Decimal("0.2960")),
    "t3.small": (2, 2, Decimal("0.0208"), Decimal("0.0150"), Decimal("0.0131"), Decimal("0.0061")),
}


@dataclass
class Node:
    name: str
    uid: str
    instance_id: str
    instance_type: str
    zone: str
    nodegroup: str
    pricing: str  # sp | ri | od
    created: datetime
    cpu_cores: int
    ram_gib: int
    od_hourly: Decimal
    cpu_price: Decimal  # OpenCost list price per core-hour
    ram_price: Decimal  # OpenCost list price per GiB-hour
    volume_id: str
    volume_gb: int
    ip: str
    gpus: int = 0  # nvidia.com/gpu capacity
    gpu_price: Decimal = Decimal(0)  # OpenCost list price per GPU-hour

    @property
    def provider_id(self) -> str:
        return f"aws:///{self.zone}/{self.instance_id}"


@dataclass
class Container:
    name: str
    image: str
    cpu_m: int  # request, millicores
    mem_mi: int  # request, MiB
    gpus: int = 0  # nvidia.com/gpu request


@dataclass
class Namespace:
    name: str
    uid: str
    created: datetime
    labels: dict[str, str]


@dataclass
class Controller:
    """Deployment, StatefulSet, DaemonSet or CronJob."""

    kind: str
    namespace: str
    name: str
    uid: str
    created: datetime
    labels: dict[str, str]  # metadata.labels
    template_labels: dict[str, str]  # spec.template.metadata.labels (for CronJob: the job template's pod labels)
    containers: list[Container]
    replicas: int = 1
    schedule: str | None = None  # CronJob
    revisions: list[ReplicaSet] = field(default_factory=list)  # Deployment
    relabels: list[tuple[datetime, dict[str, str]]] = field(default_factory=list)  # (from, metadata.labels), in order

    def labels_at(self, t: datetime) -> dict[str, str]:
        """metadata.labels as the API server held them at `t` (a `kubectl label` takes effect at once)."""
        labels = self.labels
        for since, relabelled in self.relabels:
            if since <= t:
                labels = relabelled
        return labels


@dataclass
class ReplicaSet:
    name: str
    uid: str
    namespace: str
    deployment: Controller
    pod_template_hash: str
    created: datetime
    revision: int
    active_until: datetime | None  # when the next revision replaced it (None = current at window end)


@dataclass
class Job:
    name: str
    uid: str
    namespace: str
    cronjob: Controller | None
    labels: dict[str, str]
    template_labels: dict[str, str]
    containers: list[Container]
    created: datetime
    completed: datetime
    removed: datetime | None  # deleted from the API (history limit / ttlSecondsAfterFinished); None = still there


@dataclass
class Pod:
    namespace: str
    name: str
    uid: str
    node: Node
    labels: dict[str, str]
    owner_kind: str  # ReplicaSet | StatefulSet | DaemonSet | Job
    owner_name: str
    owner_uid: str
    containers: list[Container]
    start: datetime  # running from
    end: datetime | None  # running until (None = beyond the window)
    removed: datetime | None  # gone from the API (deleted or garbage-collected); None = beyond the window
    oc_controller: str  # OpenCost properties.controller
    oc_controller_kind: str  # OpenCost properties.controllerKind
    ip: str
    usage_seed: int
    terminates: bool = False  # a Job pod: phase Succeeded after `end`

    def in_api(self, t: datetime) -> bool:
        return self.start - timedelta(seconds=2) <= t and (self.removed is None or t < self.removed)

    def seen_in_snapshots(self, times: list[datetime]) -> bool:
        return any(self.in_api(t) for t in times)
