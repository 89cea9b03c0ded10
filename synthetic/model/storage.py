"""The cluster's EBS volumes and its load balancer (docs/kubernetes.md#volumes-and-load-balancers): PersistentVolumes
bound to PVCs that pods mount, one released PV nobody claims, and a LoadBalancer Service whose NLB bills on the CUR.

Built from its own random stream ("storage") after the cluster, so every other stream, and every number they make,
stays as it was. `bill_rows` adds their daily CUR rows, with the tags the EBS CSI driver and the AWS load balancer
controller put on what they create.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from .common import AZS, CLUSTER, REGION, day_start, days_in_month, q, random_hex, random_uuid
from .kubernetes import Pod

GP3_GB_MONTH = Decimal("0.08")
NLB_HOUR = Decimal("0.0225")


@dataclass
class Volume:
    pv_name: str
    pv_uid: str
    volume_id: str
    gb: int
    zone: str
    claim: tuple[str, str] | None  # (namespace, PVC name); None = a released PV nobody claims
    pvc_uid: str | None
    mounted_by: tuple[str, str] | None  # (namespace, controller name) whose pods mount the claim

    def mounts(self, pod: Pod) -> bool:
        return self.mounted_by is not None and (pod.namespace, pod.oc_controller) == self.mounted_by


@dataclass
class LoadBalancerService:
    namespace: str
    name: str
    uid: str
    selector: dict[str, str]
    lb_name: str
    lb_id: str
    arn: str

    @property
    def hostname(self) -> str:
        return f"{self.lb_name}-{self.lb_id}.elb.{REGION}.amazonaws.com"

    def selects(self, pod: Pod) -> bool:
        return pod.namespace == self.namespace and all(pod.labels.get(k) == v for k, v in self.selector.items())


@dataclass
class Storage:
    volumes: list[Volume]
    services: list[LoadBalancerService]

    def claims_of(self, pod: Pod) -> list[str]:
        return [v.claim[1] for v in self.volumes if v.claim and v.mounts(pod)]


def build_storage(k8s, account: str, rng: random.Random) -> Storage:
    """prometheus-server's data (the monitoring namespace: shared), the first dedicated tenant's chat-backend data
    (two replicas mount one claim: split by their seconds), a released PV (unmatched), and api-gateway's NLB."""
    first = k8s.dedicated[0].id

    def volume(ns: str | None, claim: str | None, controller: str | None, gb: int) -> Volume:
        uid = random_uuid(rng)
        return Volume(pv_name=f"pvc-{uid}", pv_uid=random_uuid(rng), volume_id="vol-0" + random_hex(rng, 16), gb=gb,
                      zone=AZS[rng.randrange(0, 3)], claim=(ns, claim) if claim else None,
                      pvc_uid=uid if claim else None, mounted_by=(ns, controller) if controller else None)

    volumes = [
        volume("monitoring", "prometheus-data", "prometheus-server", 200),
        volume(f"tenant-{first}", "chat-backend-data", "chat-backend", 50),
        volume(None, None, None, 30),
    ]
    lb_name, lb_id = "k8s-platform-apigatew", random_hex(rng, 16)
    arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/net/{lb_name}/{lb_id}"
    services = [LoadBalancerService("platform", "api-gateway", random_uuid(rng), {"app": "api-gateway"},
                                    lb_name, lb_id, arn)]
    return Storage(volumes, services)


def bill_rows(cur, storage: Storage, window) -> None:
    """Each day's CUR rows of the volumes (gp3 GB-month share) and of the NLB (24 load balancer hours)."""
    for d in window:
        ds, de = day_start(d), day_start(d) + timedelta(days=1)
        month_days = Decimal(days_in_month(d))
        for v in storage.volumes:
            tags = {"user_ebs_csi_aws_com_cluster": "true", "user_kubernetes_io_cluster_" + CLUSTER: "owned"}
            if v.claim:
                tags |= {"user_kubernetes_io_created_for_pvc_namespace": v.claim[0],
                         "user_kubernetes_io_created_for_pvc_name": v.claim[1],
                         "user_kubernetes_io_created_for_pv_name": v.pv_name}
            cur.row(ds, de, "Usage", "AmazonEC2", "USE1-EBS:VolumeUsage.gp3", "CreateVolume-Gp3", v.volume_id,
                    q(Decimal(v.gb) * GP3_GB_MONTH / month_days), round(v.gb / float(month_days), 8),
                    "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (N. Virginia)",
                    unit="GB-Mo", family="Storage", az=v.zone, tags=tags, rate=GP3_GB_MONTH)
        for s in storage.services:
            cur.row(ds, de, "Usage", "AWSELB", "USE1-LoadBalancerUsage", "LoadBalancing:Net", s.arn,
                    q(NLB_HOUR * 24), 24.0, "$0.0225 per Network LoadBalancer-hour (or partial hour)",
                    family="Load Balancer-Network",
                    tags={"user_kubernetes_io_service_name": f"{s.namespace}/{s.name}",
                          "user_elbv2_k8s_aws_cluster": CLUSTER}, rate=NLB_HOUR)
