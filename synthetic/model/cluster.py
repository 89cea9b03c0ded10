"""The EKS cluster over the window: its nodes, namespaces, DaemonSets, a StatefulSet, Deployments with nightly
rollouts and a weekday scale-up, a CronJob and ad-hoc Jobs, and every pod they run (when, where, with which labels).

One `random.Random` (the "k8s" stream) drives it all, consumed in build order.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from .common import AZS, SNAPSHOT_EVERY_H, Q6, day_start, k8s_suffix, poisson, q, random_hex, random_uuid
from .kubernetes import INSTANCE_TYPES, Container, Controller, Job, Namespace, Node, Pod, ReplicaSet
from .tenants import Tenant


class ClusterBuilder:
    """`build()` fills nodes, namespaces, controllers, replicasets, jobs and pods; snapshot_times are the kubectl
    snapshot instants (every SNAPSHOT_EVERY_H hours)."""

    def __init__(self, start: date, days: int, tenants: list[Tenant], rng: random.Random, scale: float):
        self.start = start
        self.days = days
        self.t0 = day_start(start)
        self.t_end = day_start(start + timedelta(days=days))
        self.tenants = tenants
        self.rng = rng
        self.scale = scale
        self.nodes: list[Node] = []
        self.namespaces: list[Namespace] = []
        self.controllers: list[Controller] = []
        self.replicasets: list[ReplicaSet] = []
        self.jobs: list[Job] = []
        self.pods: list[Pod] = []
        self.snapshot_times = [self.t0 + timedelta(hours=h) for h in range(0, days * 24, SNAPSHOT_EVERY_H)]
        self._load: dict[str, list[float]] = {}  # node name -> [cpu cores, GiB] planned

    # -- helpers
    def uid(self) -> str:
        return random_uuid(self.rng)

    def ip(self) -> str:
        return f"10.0.{self.rng.randrange(0, 64)}.{self.rng.randrange(2, 254)}"

    def before(self, lo_days: int, hi_days: int) -> datetime:
        return self.t0 - timedelta(seconds=self.rng.randrange(lo_days * 86400, hi_days * 86400))

    def namespace(self, name: str, labels: dict[str, str] | None = None) -> Namespace:
        ns = Namespace(name, self.uid(), self.before(60, 400), {"kubernetes.io/metadata.name": name, **(labels or {})})
        self.namespaces.append(ns)
        return ns

    def place(self, cpu_m: int, mem_mi: int) -> Node:
        """First fit on the least loaded node (by CPU share), tracking planned requests."""
        best = min(self.nodes, key=lambda n: (self._load[n.name][0] / n.cpu_cores, n.name))
        self._load[best.name][0] += cpu_m / 1000
        self._load[best.name][1] += mem_mi / 1024
        return best

    # -- the build
    def build(self) -> None:
        rng = self.rng
        tenants = self.tenants
        n = len(tenants)
        # enterprise tenants run dedicated workloads (the largest first); the controller-labelled one goes to the
        # second (or the only) enterprise tenant
        dedicated = [t for t in tenants if t.plan == "enterprise"][:6]
        self.dedicated = dedicated
        ctl_tenant = dedicated[1] if len(dedicated) > 1 else dedicated[0]

        # workload plan (requests in millicores / MiB)
        c = Container
        api_replicas = 3 + n // 10
        search_replicas = 2 + n // 15
        self.api_extra = 2  # weekday daytime scale-up of api-gateway
        planned = (
            api_replicas * 1000 + self.api_extra * 1000 + search_replicas * 2000 + 500 + 100 + 200 + 1000 + 1000
            + sum(5000 if i == 0 else 2000 for i in range(len(dedicated))) + 2 * 1000
        ) / 1000
        n_nodes = max(6, min(10, math.ceil(planned / (8 * 0.55))))
        types = ["r5.2xlarge"] + ["m5.2xlarge"] * (n_nodes - 2) + ["m5.xlarge"]
        n_sp = math.ceil(n_nodes / 2)
        for i, itype in enumerate(types):
            cores, gib, od = INSTANCE_TYPES[itype][:3]
            # OpenCost-style split of the hourly list price into CPU and RAM (default AWS ratio 0.031611 : 0.004237)
            cpu_share = Decimal(cores) * Decimal("0.031611") / (
                Decimal(cores) * Decimal("0.031611") + Decimal(gib) * Decimal("0.004237"))
            cpu_price = q(od * cpu_share / cores, Q6)
            ram_price = q((od - cpu_price * cores) / gib, Decimal("0.0000000001"))
            pricing = "sp" if i < n_sp else ("ri" if i == n_sp else "od")
            zone = AZS[i % 3]
            ip = f"10.0.{(i % 3) * 32 + rng.randrange(0, 32)}.{rng.randrange(2, 254)}"
            node = Node(
                name=f"ip-{ip.replace('.', '-')}.ec2.internal", uid=self.uid(), instance_id="i-0" + random_hex(rng, 16),
                instance_type=itype, zone=zone, nodegroup="general" if itype != "r5.2xlarge" else "memory",
                pricing=pricing, created=self.before(20, 90), cpu_cores=cores, ram_gib=gib, od_hourly=od,
                cpu_price=cpu_price, ram_price=ram_price, volume_id="vol-0" + random_hex(rng, 16), volume_gb=100, ip=ip)
            self.nodes.append(node)
            self._load[node.name] = [0.0, 0.0]

        # namespaces
        for name in ("default", "kube-system", "kube-public", "kube-node-lease", "monitoring", "platform", "batch"):
            self.namespace(name)
        dedicated_ns = self.namespace("dedicated")
        tenant_ns = {}
        for t in dedicated:
            if t is not ctl_tenant or t is dedicated[0]:
                tenant_ns[t.id] = self.namespace(f"tenant-{t.id}", {"tenant": t.id, "team": "customer-success"})

        # daemonsets (one pod per node)
        ecr = "602401143452.dkr.ecr.us-east-1.amazonaws.com"
        self.daemonset("kube-system", "aws-node", {"k8s-app": "aws-node"},
                       [c("aws-node", f"{ecr}/amazon-k8s-cni:v1.18.3", 25, 64)])
        self.daemonset("kube-system", "kube-proxy", {"k8s-app": "kube-proxy"},
                       [c("kube-proxy", f"{ecr}/eks/kube-proxy:v1.30.0", 100, 64)])
        self.daemonset("monitoring", "node-exporter", {"app.kubernetes.io/name": "node-exporter"},
                       [c("node-exporter", "quay.io/prometheus/node-exporter:v1.8.1", 50, 64)])
        for node in self.nodes:
            self._load[node.name][0] += 0.175
            self._load[node.name][1] += 0.1875

        # statefulset with two containers (Σ over containers in OpenCost)
        self.statefulset("monitoring", "prometheus-server", {"app.kubernetes.io/name": "prometheus"},
                         [c("prometheus-server", "quay.io/prometheus/prometheus:v2.53.0", 900, 3584),
                          c("config-reloader", "quay.io/prometheus-operator/prometheus-config-reloader:v0.75.0",
                            100, 128)])

        # deployments
        self.deployment("kube-system", "coredns", 2, {"k8s-app": "kube-dns"}, {"k8s-app": "kube-dns"},
                        [c("coredns", f"{ecr}/eks/coredns:v1.11.1", 100, 70)],
                        rollout_p=0.0)
        self.deployment("monitoring", "opencost", 1, {"app.kubernetes.io/name": "opencost"},
                        {"app.kubernetes.io/name": "opencost"},
                        [c("opencost", "ghcr.io/opencost/opencost:1.113.0", 100, 256),
                         c("opencost-ui", "ghcr.io/opencost/opencost-ui:1.113.0", 10, 55)])
        api = self.deployment("platform", "api-gateway", api_replicas, {"app": "api-gateway", "feature": "api"},
                              {"app": "api-gateway", "feature": "api"},
                              [c("gateway", "registry.example.com/unitcost/api-gateway:2.14.0", 1000, 2048)])
        self.deployment("platform", "search-svc", search_replicas, {"app": "search-svc", "feature": "search"},
                        {"app": "search-svc", "feature": "search"},
                        [c("search", "registry.example.com/unitcost/search-svc:5.2.1", 2000, 6144)])
        # a shared workload whose feature has no request metric: no driver
        self.deployment("platform", "summarize-worker", 1, {"app": "summarize-worker", "feature": "summarize"},
                        {"app": "summarize-worker", "feature": "summarize"},
                        [c("worker", "registry.example.com/unitcost/summarize-worker:1.3.0", 500, 1024)])
        # nobody's pod
        self.deployment("default", "debug-shell", 1, {"app": "debug-shell"}, {"app": "debug-shell"},
                        [c("shell", "nicolaka/netshoot:v0.13", 100, 128)], rollout_p=0.0)

        for i, t in enumerate(dedicated):
            if i == 0:
                # labels on the pod template (pods carry them) + an unlabeled worker in a tenant namespace + a CronJob
                ns = tenant_ns[t.id].name
                lbl = {"app": "chat-backend", "tenant": t.id, "feature": "chat"}
                self.deployment(ns, "chat-backend", 2, lbl, lbl,
                                [c("app", "registry.example.com/unitcost/chat-backend:3.8.2", 1500, 4096)])
                self.deployment(ns, "worker", 1, {"app": "worker"}, {"app": "worker"},
                                [c("worker", "registry.example.com/unitcost/worker:3.8.2", 1000, 2048)])
                jl = {"app": "nightly-report", "tenant": t.id, "feature": "summarize"}
                self.cronjob(ns, "nightly-report", "0 2 * * *", jl, jl,
                             [c("report", "registry.example.com/unitcost/reports:1.2.0", 500, 1024)])
            if t is ctl_tenant:
                # labels only on the Deployment object (controller precedence), unlabeled namespace
                ingest = self.deployment(dedicated_ns.name, f"{t.id}-ingest", 2,
                                         {"app": f"{t.id}-ingest", "tenant": t.id, "feature": "ingest"},
                                         {"app": f"{t.id}-ingest"},
                                         [c("ingest", "registry.example.com/unitcost/ingest:0.9.4", 1000, 3072)])
                # handed over to the largest other tenant (an enterprise one where there are two) at noon UTC of
                # the window's last day, by a `kubectl label --overwrite` on the Deployment alone: that day's cost
                # splits by time between the two
                heir = next(iter(sorted((x for x in tenants if x is not t), key=lambda x: (x is not dedicated[0],
                                                                                          -x.size, x.id))), None)
                if heir is not None:
                    ingest.relabels.append((self.t_end - timedelta(hours=12), {**ingest.labels, "tenant": heir.id}))
            if i >= 2:
                ns = tenant_ns[t.id].name
                lbl = {"app": "app", "tenant": t.id, "feature": "chat"}
                self.deployment(ns, "app", 2, lbl, lbl,
                                [c("app", "registry.example.com/unitcost/chat-backend:3.8.2", 1000, 2048)])

        self.api_weekday_scaleup(api)
        self.adhoc_jobs()

    # -- object factories
    def daemonset(self, ns: str, name: str, labels: dict, containers: list[Container]) -> Controller:
        ctl = Controller("DaemonSet", ns, name, self.uid(), self.before(60, 200), dict(labels), dict(labels),
                         containers, replicas=len(self.nodes))
        self.controllers.append(ctl)
        rev = random_hex(self.rng, 10)[:10]
        for node in self.nodes:
            pl = {**labels, "controller-revision-hash": rev, "pod-template-generation": "1"}
            start = max(node.created, ctl.created) + timedelta(seconds=self.rng.randrange(5, 90))
            self.pods.append(Pod(ns, f"{name}-{k8s_suffix(self.rng)}", self.uid(), node, pl, "DaemonSet", name,
                                 ctl.uid, containers, start, None, None, name, "daemonset", self.ip(),
                                 self.rng.getrandbits(32)))
        return ctl

    def statefulset(self, ns: str, name: str, labels: dict, containers: list[Container]) -> Controller:
        ctl = Controller("StatefulSet", ns, name, self.uid(), self.before(30, 200), dict(labels), dict(labels),
                         containers)
        self.controllers.append(ctl)
        cpu = sum(x.cpu_m for x in containers)
        mem = sum(x.mem_mi for x in containers)
        node = self.nodes[0]  # the memory node
        self._load[node.name][0] += cpu / 1000
        self._load[node.name][1] += mem / 1024
        pname = f"{name}-0"
        pl = {**labels, "controller-revision-hash": f"{name}-{random_hex(self.rng, 10)}",
              "statefulset.kubernetes.io/pod-name": pname, "apps.kubernetes.io/pod-index": "0"}
        self.pods.append(Pod(ns, pname, self.uid(), node, pl, "StatefulSet", name, ctl.uid, containers,
                             self.before(3, 20), None, None, name, "statefulset", self.ip(), self.rng.getrandbits(32)))
        return ctl

    def deployment(self, ns: str, name: str, replicas: int, labels: dict, template_labels: dict,
                   containers: list[Container], rollout_p: float = 0.15) -> Controller:
        rng = self.rng
        ctl = Controller("Deployment", ns, name, self.uid(), self.before(30, 300), dict(labels),
                         dict(template_labels), containers, replicas=replicas)
        self.controllers.append(ctl)
        cpu = sum(x.cpu_m for x in containers)
        mem = sum(x.mem_mi for x in containers)
        slots = [self.place(cpu, mem) for _ in range(replicas)]
        # revisions: one before the window, then rollouts in the nightly deploy window (02:00-07:00 UTC)
        starts = [self.before(1, 25)]
        for i in range(self.days):
            if rng.random() < rollout_p:
                starts.append(day_start(self.start + timedelta(days=i)) + timedelta(seconds=rng.randrange(7200, 25200)))
        prev_rev = rng.randrange(3, 40)
        for r, rs_start in enumerate(starts):
            h = k8s_suffix(rng, 10)
            rs = ReplicaSet(f"{name}-{h}", self.uid(), ns, ctl, h, rs_start, prev_rev + r,
                            starts[r + 1] if r + 1 < len(starts) else None)
            ctl.revisions.append(rs)
            self.replicasets.append(rs)
            for k in range(replicas):
                start = rs_start + timedelta(seconds=2 + 7 * k + rng.randrange(0, 5))
                end = None if rs.active_until is None else rs.active_until + timedelta(seconds=20 + 9 * k)
                self.pods.append(self._rs_pod(rs, slots[k], start, end))
        return ctl

    def _rs_pod(self, rs: ReplicaSet, node: Node, start: datetime, end: datetime | None) -> Pod:
        ctl = rs.deployment
        pl = {**ctl.template_labels, "pod-template-hash": rs.pod_template_hash}
        return Pod(ctl.namespace, f"{rs.name}-{k8s_suffix(self.rng)}", self.uid(), node, pl, "ReplicaSet", rs.name,
                   rs.uid, ctl.containers, start, end, end, ctl.name, "deployment", self.ip(),
                   self.rng.getrandbits(32))

    def api_weekday_scaleup(self, api: Controller) -> None:
        """HPA: +2 api-gateway replicas on weekdays 08:00-20:00 UTC (pods come and go between snapshots)."""
        slots = [self.place(1000, 2048) for _ in range(self.api_extra)]
        for i in range(self.days):
            d = self.start + timedelta(days=i)
            if d.weekday() >= 5:
                continue
            up = day_start(d) + timedelta(hours=8, seconds=self.rng.randrange(0, 900))
            down = day_start(d) + timedelta(hours=20, seconds=self.rng.randrange(0, 900))
            rs = next(r for r in api.revisions if r.created <= up and (r.active_until is None or up < r.active_until))
            for k, node in enumerate(slots):
                self.pods.append(self._rs_pod(rs, node, up + timedelta(seconds=3 * k), down + timedelta(seconds=5 * k)))

    def cronjob(self, ns: str, name: str, schedule: str, labels: dict, job_labels: dict,
                containers: list[Container]) -> Controller:
        """Daily at 02:00 UTC; keeps the last 3 Jobs (and their Succeeded pods) in the API."""
        rng = self.rng
        ctl = Controller("CronJob", ns, name, self.uid(), self.before(30, 120), dict(labels), dict(job_labels),
                         containers, schedule=schedule)
        self.controllers.append(ctl)
        node = self.place(sum(x.cpu_m for x in containers), sum(x.mem_mi for x in containers))
        runs = [day_start(self.start + timedelta(days=i)) + timedelta(hours=2) for i in range(-3, self.days)]
        for j, at in enumerate(runs):
            jname = f"{name}-{int(at.timestamp()) // 60}"
            juid = self.uid()
            created = at + timedelta(seconds=rng.randrange(0, 3))
            start = created + timedelta(seconds=rng.randrange(2, 6))
            end = start + timedelta(seconds=rng.randrange(15 * 60, 40 * 60))
            removed = runs[j + 3] + timedelta(seconds=5) if j + 3 < len(runs) else None
            jl = {**job_labels, "batch.kubernetes.io/controller-uid": juid, "batch.kubernetes.io/job-name": jname,
                  "controller-uid": juid, "job-name": jname}
            self.jobs.append(Job(jname, juid, ns, ctl, dict(jl), dict(jl), containers, created, end, removed))
            self.pods.append(Pod(ns, f"{jname}-{k8s_suffix(rng)}", self.uid(), node, dict(jl), "Job", jname, juid,
                                 containers, start, end, removed, jname, "job", self.ip(), rng.getrandbits(32),
                                 terminates=True))
        return ctl

    def adhoc_jobs(self) -> None:
        """kubectl-created backfill Jobs with ttlSecondsAfterFinished: 0, run between snapshots: they exist in
        OpenCost (with tenant labels) but in no snapshot."""
        rng = self.rng
        weights = [t.size for t in self.tenants]
        cont = [Container("backfill", "registry.example.com/unitcost/backfill:0.4.0", 1000, 2048)]
        for i in range(self.days):
            k = poisson(rng, 0.6 * self.scale)
            if i % 3 == 0:
                k = max(k, 1)
            for _ in range(k):
                t = rng.choices(self.tenants, weights)[0]
                block = rng.randrange(0, 4) * 6
                start = (day_start(self.start + timedelta(days=i))
                         + timedelta(hours=block + rng.randrange(1, 5), minutes=rng.randrange(0, 9),
                                     seconds=rng.randrange(0, 60)))
                end = start + timedelta(seconds=rng.randrange(5 * 60, 50 * 60))
                jname = f"backfill-{t.id}-{k8s_suffix(rng)}"
                juid = self.uid()
                jl = {"app.kubernetes.io/name": "backfill", "tenant": t.id, "feature": "ingest",
                      "batch.kubernetes.io/controller-uid": juid, "batch.kubernetes.io/job-name": jname,
                      "controller-uid": juid, "job-name": jname}
                node = min(self.nodes, key=lambda n: (self._load[n.name][0] / n.cpu_cores, n.name))
                self.jobs.append(Job(jname, juid, "batch", None, dict(jl), dict(jl), cont,
                                     start - timedelta(seconds=1), end, end + timedelta(seconds=1)))
                self.pods.append(Pod("batch", f"{jname}-{k8s_suffix(rng)}", self.uid(), node, dict(jl), "Job",
                                     jname, juid, cont, start, end, end + timedelta(seconds=1), jname, "job",
                                     self.ip(), rng.getrandbits(32), terminates=True))
