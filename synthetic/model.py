"""The generation model: tenants, one EKS cluster, its pods over time, the AWS bill rows and the LLM calls.

Everything here is built once from (start, days, tenants, seed, scale) with seeded `random.Random` streams, before
any file is written; `writers.py` serializes it into the upstream formats and `ground_truth.py` computes the truth
from the same objects. No wall clock, no global random state, no set iteration order: same arguments, same model.

Imports nothing from the pipeline (ingest/, dbt, other dagster_project modules).
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

CLUSTER = "prod-eks"
REGION = "us-east-1"
AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
EXPORT_NAME = "unitcost-demo"
BUCKET = "unitcost-demo-bucket"
BUCKET_PREFIX = "cur"
SHARED_NAMESPACES = ("kube-system", "monitoring")
PLANS = ("free", "starter", "pro", "enterprise")
LLM_FEATURES = ("chat", "search", "summarize", "api", "ingest")
REQUEST_FEATURES = ("api", "search")  # the shared (multi-tenant) features that have request metrics
SNAPSHOT_EVERY_H = 6
GIB = 1024**3

Q8 = Decimal("0.00000001")
Q6 = Decimal("0.000001")
Q5 = Decimal("0.00001")
Q2 = Decimal("0.01")


def q(x: Decimal | float | int | str, quantum: Decimal = Q8) -> Decimal:
    return Decimal(str(x)).quantize(quantum, rounding=ROUND_HALF_UP)


def day_start(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def days_in_month(d: date) -> int:
    return (next_month(d) - month_start(d)).days


def iso_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


_K8S_ALNUM = "bcdfghjklmnpqrstvwxz2456789"  # the alphabet Kubernetes uses for generated name suffixes


def _k8s_suffix(rng: random.Random, n: int = 5) -> str:
    return "".join(rng.choice(_K8S_ALNUM) for _ in range(n))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 60:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def weekday_factor(d: date) -> float:
    return 1.0 if d.weekday() < 5 else 0.6


def diurnal(hour: int) -> float:
    """Relative activity per UTC hour (peak ~15:00 UTC, the US/EU overlap)."""
    return 0.4 + 0.6 * (1 + math.cos(2 * math.pi * (hour - 15) / 24)) / 2


# ----------------------------------------------------------------------------------------------------------------
# tenants


@dataclass
class Tenant:
    id: str
    name: str
    plan: str
    size: float  # share of activity, Σ = 1
    llm_features: list[str]
    request_features: list[str]
    rank: int  # 0 = largest


_NAME_A = ("Blue", "North", "Bright", "Quantum", "Silver", "Red", "Swift", "Iron", "Cloud", "Pixel", "Lumen",
           "Vector", "Atlas", "Nova", "Cedar", "Harbor", "Summit", "Echo", "Orbit", "Zenith", "Granite", "Maple",
           "Coral", "Falcon")
_NAME_B = ("Labs", "Works", "Analytics", "Systems", "Dynamics", "Health", "Logistics", "Retail", "Capital", "Media",
           "Robotics", "Foods", "Legal", "Energy", "Travel", "Bio", "Learning", "Security", "Insurance", "Studios")


def build_tenants(n: int, rng: random.Random) -> list[Tenant]:
    # heavy tail: Zipf-like rank weights with lognormal noise, so a few enterprise tenants dominate
    raw = sorted((((r + 1) ** -1.2) * rng.lognormvariate(0, 0.25) for r in range(n)), reverse=True)
    total = sum(raw)
    sizes = [x / total for x in raw]
    n_ent = max(1, round(0.1 * n))
    n_pro = round(0.25 * n)
    n_starter = round(0.3 * n)
    width = max(3, len(str(n)))
    ids = [f"t{i + 1:0{width}d}" for i in range(n)]
    rng.shuffle(ids)  # ids do not give away the size
    combos = [f"{a} {b}" for a in _NAME_A for b in _NAME_B]
    rng.shuffle(combos)
    tenants = []
    for rank in range(n):
        if rank < n_ent:
            plan = "enterprise"
        elif rank < n_ent + n_pro:
            plan = "pro"
        elif rank < n_ent + n_pro + n_starter:
            plan = "starter"
        else:
            plan = "free"
        name = combos[rank % len(combos)] + ("" if rank < len(combos) else f" {rank // len(combos) + 1}")
        # LLM features: bigger tenants use more of the product
        feats = [f for f in LLM_FEATURES if rng.random() < {"chat": 0.85, "search": 0.6, "summarize": 0.5,
                                                            "api": 0.4 + (0.4 if plan == "enterprise" else 0),
                                                            "ingest": 0.3 + (0.5 if plan == "enterprise" else 0)}[f]]
        if not feats:
            feats = ["chat"]
        req = ["api"] + (["search"] if ("search" in feats or rng.random() < 0.3) else [])
        tenants.append(Tenant(ids[rank], name, plan, sizes[rank], feats, req, rank))
    return tenants


# ----------------------------------------------------------------------------------------------------------------
# the cluster


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

    @property
    def provider_id(self) -> str:
        return f"aws:///{self.zone}/{self.instance_id}"


@dataclass
class Container:
    name: str
    image: str
    cpu_m: int  # request, millicores
    mem_mi: int  # request, MiB


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


@dataclass
class Alloc:
    """One OpenCost /allocation entry (one container of one pod, one day)."""

    pod: Pod
    container: Container
    start: datetime
    end: datetime
    minutes: Decimal
    cpu_req: float
    cpu_use: float
    ram_req: float
    ram_use: float
    cpu_core_hours: Decimal
    ram_byte_hours: Decimal
    cpu_cost: Decimal
    ram_cost: Decimal
    cpu_adj: Decimal
    ram_adj: Decimal
    net_tx: float
    net_rx: float

    @property
    def weight(self) -> Decimal:
        return self.cpu_cost + self.cpu_adj + self.ram_cost + self.ram_adj  # + gpu cost and adjustment (0 here)

    @property
    def total_cost(self) -> Decimal:
        return self.weight


@dataclass
class NodeAsset:
    node: Node
    cpu_cost: Decimal
    ram_cost: Decimal
    total_cost: Decimal


# ----------------------------------------------------------------------------------------------------------------
# LLM calls


MODELS = {
    # request model: (otel provider, genai-prices provider id, response model)
    "gpt-4o-mini": ("openai", "openai", "gpt-4o-mini-2024-07-18"),
    "gpt-4.1": ("openai", "openai", "gpt-4.1-2025-04-14"),
    "o3": ("openai", "openai", "o3-2025-04-16"),
    "claude-sonnet-4-5": ("anthropic", "anthropic", "claude-sonnet-4-5-20250929"),
    "claude-haiku-4-5": ("anthropic", "anthropic", "claude-haiku-4-5-20251001"),
    "gemini-2.5-flash": ("gcp.gemini", "google", "gemini-2.5-flash"),
}
FEATURE_MODELS = {
    "chat": (("claude-sonnet-4-5", 0.5), ("gpt-4.1", 0.25), ("gpt-4o-mini", 0.25)),
    "search": (("gpt-4o-mini", 0.7), ("gemini-2.5-flash", 0.3)),
    "summarize": (("claude-haiku-4-5", 0.6), ("gemini-2.5-flash", 0.4)),
    "api": (("gpt-4.1", 0.4), ("o3", 0.3), ("claude-sonnet-4-5", 0.3)),
    "ingest": (("gpt-4o-mini", 0.5), ("claude-haiku-4-5", 0.3), ("gemini-2.5-flash", 0.2)),
}
FEATURE_TOKENS = {  # (input median, input sigma, output median, output sigma)
    "chat": (12000, 0.7, 700, 0.6),
    "search": (3000, 0.6, 250, 0.5),
    "summarize": (15000, 0.6, 900, 0.5),
    "api": (6000, 0.9, 1200, 0.8),
    "ingest": (10000, 0.7, 1500, 0.6),
}
MAX_INPUT = 120_000  # below every long-context tier (128k is the lowest here)
OFFSETS_MIN = (-420, -120, 330, 540)  # non-UTC writers: -07:00, -02:00, +05:30, +09:00


@dataclass
class LlmCall:
    event_id: str
    at: datetime  # UTC instant
    offset_min: int  # the writer's UTC offset in the timestamp string
    offset_style: str  # "Z" | "+00:00" | "offset"
    millis: bool
    tenant_id: str
    feature_id: str
    provider_name: str  # OTel gen_ai.provider.name
    provider_id: str  # genai-prices id (the invoicing provider)
    request_model: str
    response_model: str
    input_tokens: int  # inclusive of cache reads and writes
    output_tokens: int  # inclusive of reasoning
    cache_read: int
    cache_creation: int
    cache_creation_1h: int
    reasoning: int
    conversation_id: str
    service_tier: str
    batch: bool
    extra: dict[str, object]

    @property
    def usage_date(self) -> date:
        return self.at.date()

    @property
    def local(self) -> datetime:
        return self.at + timedelta(minutes=self.offset_min)

    @property
    def folder_date(self) -> date:
        return self.local.date()


# ----------------------------------------------------------------------------------------------------------------
# the whole model


@dataclass
class Model:
    start: date
    days: int
    seed: int
    scale: float
    window: list[date]
    payer_account: str
    usage_account: str
    tenants: list[Tenant]
    nodes: list[Node]
    namespaces: list[Namespace]
    controllers: list[Controller]
    replicasets: list[ReplicaSet]
    jobs: list[Job]
    pods: list[Pod]
    snapshot_times: list[datetime]
    allocations: dict[date, list[Alloc]]
    node_assets: dict[date, list[NodeAsset]]
    cur_rows: list[dict]
    billing_periods: list[date]
    llm_calls: list[LlmCall]
    requests: dict[date, dict[tuple[str, str], list[tuple[int, str]]]]  # day -> (tenant, feature) -> samples
    savings_plan_arn: str
    reservation_arn: str
    export_execution: dict[date, tuple[str, str]]  # billing period -> (timestamp folder, executionId)
    export_arn: str

    @property
    def window_end(self) -> datetime:
        return day_start(self.start + timedelta(days=self.days))

    @property
    def node_by_instance(self) -> dict[str, Node]:
        return {n.instance_id: n for n in self.nodes}

    def tenant(self, tid: str) -> Tenant:
        return next(t for t in self.tenants if t.id == tid)


def _rng(seed: int, name: str) -> random.Random:
    return random.Random(f"unitcost-synthetic:{seed}:{name}")


def build_model(start: date, days: int, n_tenants: int, seed: int, scale: float = 1.0) -> Model:
    if days < 1 or n_tenants < 1 or scale <= 0:
        raise ValueError("days and tenants must be >= 1 and scale > 0")
    window = [start + timedelta(days=i) for i in range(days)]
    acct = _rng(seed, "accounts")
    payer = str(acct.randrange(10**11, 10**12))
    usage_account = str(acct.randrange(10**11, 10**12))
    tenants = build_tenants(n_tenants, _rng(seed, "tenants"))
    k8s = _K8sBuilder(start, days, tenants, _rng(seed, "k8s"), scale)
    k8s.build()
    allocations, node_assets = _build_opencost(k8s, window, _rng(seed, "opencost"))
    ids = _rng(seed, "ids")
    sp_arn = f"arn:aws:savingsplans::{payer}:savingsplan/{_uuid(ids)}"
    ri_arn = f"arn:aws:ec2:{REGION}:{usage_account}:reserved-instances/{_uuid(ids)}"
    export_arn = f"arn:aws:bcm-data-exports:{REGION}:{payer}:export/{EXPORT_NAME}-{_uuid(ids)}"
    cur = _CurBuilder(window, tenants, k8s, payer, usage_account, sp_arn, ri_arn, _rng(seed, "cur"), scale)
    cur.build()
    periods = sorted({month_start(d) for d in window})
    execution = {}
    ex = _rng(seed, "execution")
    for p in periods:
        last_in_period = max(d for d in window if month_start(d) == p)
        delivered = day_start(last_in_period + timedelta(days=1)) + timedelta(seconds=ex.randrange(2 * 3600, 6 * 3600))
        execution[p] = (delivered.strftime("%Y%m%dT%H%M%SZ"), _uuid(ex))
    llm_calls = _build_llm_calls(window, tenants, _rng(seed, "llm"), scale)
    requests = _build_requests(window, tenants, _rng(seed, "requests"), scale)
    return Model(
        start=start, days=days, seed=seed, scale=scale, window=window, payer_account=payer,
        usage_account=usage_account, tenants=tenants, nodes=k8s.nodes, namespaces=k8s.namespaces,
        controllers=k8s.controllers, replicasets=k8s.replicasets, jobs=k8s.jobs, pods=k8s.pods,
        snapshot_times=k8s.snapshot_times, allocations=allocations, node_assets=node_assets, cur_rows=cur.rows,
        billing_periods=periods, llm_calls=llm_calls, requests=requests, savings_plan_arn=sp_arn,
        reservation_arn=ri_arn, export_execution=execution, export_arn=export_arn,
    )


# ----------------------------------------------------------------------------------------------------------------
# Kubernetes objects over time


class _K8sBuilder:
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
        return _uuid(self.rng)

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
                name=f"ip-{ip.replace('.', '-')}.ec2.internal", uid=self.uid(), instance_id="i-0" + _hex(rng, 16),
                instance_type=itype, zone=zone, nodegroup="general" if itype != "r5.2xlarge" else "memory",
                pricing=pricing, created=self.before(20, 90), cpu_cores=cores, ram_gib=gib, od_hourly=od,
                cpu_price=cpu_price, ram_price=ram_price, volume_id="vol-0" + _hex(rng, 16), volume_gb=100, ip=ip)
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
                self.deployment(dedicated_ns.name, f"{t.id}-ingest", 2,
                                {"app": f"{t.id}-ingest", "tenant": t.id, "feature": "ingest"},
                                {"app": f"{t.id}-ingest"},
                                [c("ingest", "registry.example.com/unitcost/ingest:0.9.4", 1000, 3072)])
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
        rev = _hex(self.rng, 10)[:10]
        for node in self.nodes:
            pl = {**labels, "controller-revision-hash": rev, "pod-template-generation": "1"}
            start = max(node.created, ctl.created) + timedelta(seconds=self.rng.randrange(5, 90))
            self.pods.append(Pod(ns, f"{name}-{_k8s_suffix(self.rng)}", self.uid(), node, pl, "DaemonSet", name,
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
        pl = {**labels, "controller-revision-hash": f"{name}-{_hex(self.rng, 10)}",
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
            h = _k8s_suffix(rng, 10)
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
        return Pod(ctl.namespace, f"{rs.name}-{_k8s_suffix(self.rng)}", self.uid(), node, pl, "ReplicaSet", rs.name,
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
            self.pods.append(Pod(ns, f"{jname}-{_k8s_suffix(rng)}", self.uid(), node, dict(jl), "Job", jname, juid,
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
                jname = f"backfill-{t.id}-{_k8s_suffix(rng)}"
                juid = self.uid()
                jl = {"app.kubernetes.io/name": "backfill", "tenant": t.id, "feature": "ingest",
                      "batch.kubernetes.io/controller-uid": juid, "batch.kubernetes.io/job-name": jname,
                      "controller-uid": juid, "job-name": jname}
                node = min(self.nodes, key=lambda n: (self._load[n.name][0] / n.cpu_cores, n.name))
                self.jobs.append(Job(jname, juid, "batch", None, dict(jl), dict(jl), cont,
                                     start - timedelta(seconds=1), end, end + timedelta(seconds=1)))
                self.pods.append(Pod("batch", f"{jname}-{_k8s_suffix(rng)}", self.uid(), node, dict(jl), "Job",
                                     jname, juid, cont, start, end, end + timedelta(seconds=1), jname, "job",
                                     self.ip(), rng.getrandbits(32), terminates=True))


# ----------------------------------------------------------------------------------------------------------------
# OpenCost


def _build_opencost(k8s: _K8sBuilder, window: list[date], rng: random.Random):
    allocations: dict[date, list[Alloc]] = {}
    node_assets: dict[date, list[NodeAsset]] = {}
    for d in window:
        lo, hi = day_start(d), day_start(d) + timedelta(days=1)
        entries: list[Alloc] = []
        for pod in k8s.pods:
            s = max(pod.start, lo)
            e = min(pod.end or hi, hi)
            if e <= s:
                continue
            # OpenCost works at a 1-minute resolution
            s = s.replace(second=0, microsecond=0)
            ceil = timedelta(minutes=1) if e.second or e.microsecond else timedelta()
            e = e.replace(second=0, microsecond=0) + ceil
            e = min(e, hi)
            minutes = Decimal(int((e - s).total_seconds() // 60))
            if minutes <= 0:
                continue
            prng = random.Random(pod.usage_seed * 1000003 + d.toordinal())
            hours = minutes / 60
            for cont in pod.containers:
                cpu_req = cont.cpu_m / 1000
                ram_req = float(cont.mem_mi * 1024 * 1024)
                cpu_use = round(cpu_req * prng.uniform(0.12, 1.25), 5)
                ram_use = round(ram_req * prng.uniform(0.35, 1.15), 5)
                cpu_cores = Decimal(str(max(cpu_req, cpu_use)))
                ram_bytes = Decimal(str(max(ram_req, ram_use)))
                cch = cpu_cores * hours
                rbh = ram_bytes * hours
                cpu_cost = q(cch * pod.node.cpu_price, Q5)
                ram_cost = q(rbh / GIB * pod.node.ram_price, Q5)
                if pod.node.pricing == "ri":  # OpenCost's own reconciliation nudged these a little
                    cpu_adj, ram_adj = -q(cpu_cost * Decimal("0.03"), Q5), -q(ram_cost * Decimal("0.03"), Q5)
                else:
                    cpu_adj = ram_adj = Decimal(0)
                entries.append(Alloc(pod, cont, s, e, minutes, cpu_req, cpu_use, ram_req, ram_use, q(cch, Q5),
                                     q(rbh, Q5), cpu_cost, ram_cost, cpu_adj, ram_adj,
                                     round(prng.uniform(1e7, 5e9), 5), round(prng.uniform(1e7, 5e9), 5)))
        allocations[d] = entries
        assets = []
        for node in k8s.nodes:
            cpu_cost = q(Decimal(node.cpu_cores) * 24 * node.cpu_price, Q6)
            ram_cost = q(Decimal(node.ram_gib) * 24 * node.ram_price, Q6)
            assets.append(NodeAsset(node, cpu_cost, ram_cost, cpu_cost + ram_cost))
        node_assets[d] = assets
    return allocations, node_assets


# ----------------------------------------------------------------------------------------------------------------
# the AWS bill (CUR 2.0 rows, one per resource and day, plus monthly charges)


_PRODUCT_NAMES = {
    "AmazonEC2": "Amazon Elastic Compute Cloud",
    "AmazonRDS": "Amazon Relational Database Service",
    "AmazonS3": "Amazon Simple Storage Service",
    "AWSSupportBusiness": "AWS Support (Business)",
    "ComputeSavingsPlans": "Savings Plans for AWS Compute usage",
    "AmazonEKS": "Amazon Elastic Container Service for Kubernetes",
}


class _CurBuilder:
    def __init__(self, window, tenants, k8s: _K8sBuilder, payer, usage_account, sp_arn, ri_arn, rng, scale=1.0):
        self.scale = scale
        self.window = window
        self.tenants = tenants
        self.k8s = k8s
        self.payer = payer
        self.acct = usage_account
        self.sp_arn = sp_arn
        self.ri_arn = ri_arn
        self.rng = rng
        self.rows: list[dict] = []

    def row(self, d_start: datetime, d_end: datetime, line_type: str, product: str, usage_type: str, operation: str,
            resource_id: str, amount: Decimal, usage_amount: float, description: str, *, unit: str = "Hrs",
            family: str = "", instance_type: str = "", az: str = "", tags: dict | None = None,
            public: Decimal | None = None, rate: Decimal | None = None, **extra) -> dict:
        period = month_start(d_start.date())
        r = {
            "bill_bill_type": "Anniversary",
            "bill_billing_entity": "AWS",
            "bill_billing_period_start_date": day_start(period),
            "bill_billing_period_end_date": day_start(next_month(period)),
            # closed periods carry their invoice id; the open one has none yet
            "bill_invoice_id": (f"{period:%Y%m}{self.payer[-5:]}" if next_month(period) <= self.window[-1] else ""),
            "bill_invoicing_entity": "Amazon Web Services, Inc.",
            "bill_payer_account_id": self.payer,
            "bill_payer_account_name": "unitcost-demo-payer",
            "identity_line_item_id": "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(52)),
            "identity_time_interval": f"{iso_z(d_start)}/{iso_z(d_end)}",
            "line_item_availability_zone": az,
            "line_item_currency_code": "USD",
            "line_item_legal_entity": "Amazon Web Services, Inc.",
            "line_item_line_item_description": description,
            "line_item_line_item_type": line_type,
            "line_item_operation": operation,
            "line_item_product_code": product,
            "line_item_resource_id": resource_id,
            "line_item_tax_type": "",
            "line_item_unblended_cost": q(amount),
            "line_item_net_unblended_cost": q(amount),
            "line_item_blended_cost": q(amount),
            "line_item_unblended_rate": "" if rate is None else str(rate),
            "line_item_usage_account_id": self.acct,
            "line_item_usage_account_name": "unitcost-prod",
            "line_item_usage_amount": usage_amount,
            "line_item_usage_start_date": d_start,
            "line_item_usage_end_date": d_end,
            "line_item_usage_type": usage_type,
            "pricing_currency": "USD",
            "pricing_public_on_demand_cost": q(amount if public is None else public),
            "pricing_public_on_demand_rate": "" if rate is None else str(rate),
            "pricing_term": "OnDemand" if line_type in ("Usage", "SavingsPlanCoveredUsage") else (
                "Reserved" if line_type == "DiscountedUsage" else ""),
            "pricing_unit": unit,
            "product": {"product_name": _PRODUCT_NAMES.get(product, product), "region": REGION,
                        **({"operating_system": "Linux", "tenancy": "Shared"} if instance_type else {})},
            "product_instance_type": instance_type,
            "product_product_family": family,
            "product_region_code": REGION if product != "AWSSupportBusiness" else "",
            "product_servicecode": product,
            "product_usagetype": usage_type,
            "product_operation": operation,
            "reservation_reservation_a_r_n": "",
            "savings_plan_savings_plan_a_r_n": "",
            "resource_tags": dict(tags or {}),
        }
        r.update(extra)
        self.rows.append(r)
        return r

    def build(self) -> None:
        rng = self.rng
        k8s = self.k8s
        tenants = self.tenants
        dedicated = k8s.dedicated
        node_tags = {"aws_eks_cluster_name": CLUSTER, "user_team": "platform"}
        sp_nodes = [n for n in k8s.nodes if n.pricing == "sp"]
        used_hourly = sum(INSTANCE_TYPES[n.instance_type][3] for n in sp_nodes)
        commit_hourly = q(used_hourly * Decimal("1.04"), Decimal("0.001"))
        nat_ids = [f"nat-0{_hex(rng, 16)}" for _ in range(2)]
        bastion = "i-0" + _hex(rng, 16)
        gpu_box = "i-0" + _hex(rng, 16)
        gpu_tenant = dedicated[1] if len(dedicated) > 1 else dedicated[0]
        rds_tenants = [t for t in tenants if t.plan == "enterprise"][:4] or tenants[:1]
        s3_tenants = [t for t in tenants if t.plan in ("enterprise", "pro")][:8]
        split_node = next((n for n in k8s.nodes if n.pricing == "od"), k8s.nodes[-1])
        month_usage: dict[tuple[date, str], Decimal] = {}

        def add_usage(r: dict) -> None:
            key = (month_start(r["line_item_usage_start_date"].date()), r["line_item_product_code"])
            month_usage[key] = month_usage.get(key, Decimal(0)) + r["pricing_public_on_demand_cost"]

        for d in self.window:
            ds, de = day_start(d), day_start(d) + timedelta(days=1)
            wf = weekday_factor(d) * self.scale  # traffic volumes follow the weekday and --scale
            # ---- cluster nodes: compute (by pricing), data transfer, root volume
            negation: dict[tuple[str, str], Decimal] = {}
            for n in k8s.nodes:
                cores, gib, od, sp_rate, ri_eff, ri_upfront = INSTANCE_TYPES[n.instance_type]
                ut = f"USE1-BoxUsage:{n.instance_type}"
                odc = od * 24
                desc = f"${od} per On Demand Linux {n.instance_type} Instance Hour"
                common = dict(unit="Hrs", family="Compute Instance", instance_type=n.instance_type, az=n.zone,
                              tags=node_tags, rate=od)
                if n.pricing == "sp":
                    r = self.row(ds, de, "SavingsPlanCoveredUsage", "AmazonEC2", ut, "RunInstances", n.instance_id,
                                 odc, 24.0, desc, **common,
                                 savings_plan_savings_plan_a_r_n=self.sp_arn,
                                 savings_plan_savings_plan_effective_cost=q(sp_rate * 24),
                                 savings_plan_savings_plan_rate=float(sp_rate),
                                 savings_plan_net_savings_plan_effective_cost=q(sp_rate * 24))
                    negation[(ut, n.zone)] = negation.get((ut, n.zone), Decimal(0)) - odc
                elif n.pricing == "ri":
                    r = self.row(ds, de, "DiscountedUsage", "AmazonEC2", ut, "RunInstances", n.instance_id,
                                 Decimal(0), 24.0,
                                 f"USD 0.0 hourly fee per Linux/UNIX (Amazon VPC), {n.instance_type} instance",
                                 **{**common, "rate": Decimal(0)}, public=odc,
                                 reservation_reservation_a_r_n=self.ri_arn,
                                 reservation_effective_cost=q(ri_eff * 24),
                                 reservation_amortized_upfront_cost_for_usage=q(ri_upfront * 24),
                                 reservation_recurring_fee_for_usage=q((ri_eff - ri_upfront) * 24))
                else:
                    r = self.row(ds, de, "Usage", "AmazonEC2", ut, "RunInstances", n.instance_id, odc, 24.0, desc,
                                 **common)
                add_usage(r)
                gb = round(rng.uniform(4, 25) * wf, 6)
                r = self.row(ds, de, "Usage", "AmazonEC2", "USE1-DataXfer-Out-Bytes", "RunInstances", n.instance_id,
                             q(Decimal(str(gb)) * Decimal("0.09")), gb, "$0.09 per GB - first 10 TB / month data "
                             "transfer out beyond the global free tier", unit="GB", family="Data Transfer",
                             tags=node_tags, rate=Decimal("0.09"))
                add_usage(r)
                mo = Decimal(days_in_month(d))
                r = self.row(ds, de, "Usage", "AmazonEC2", "USE1-EBS:VolumeUsage.gp3", "CreateVolume-Gp3",
                             n.volume_id, q(Decimal(n.volume_gb) * Decimal("0.08") / mo),
                             round(n.volume_gb / float(mo), 8),
                             "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (N. Virginia)",
                             unit="GB-Mo", family="Storage", az=n.zone, rate=Decimal("0.08"))
                add_usage(r)
            for (ut, zone), amt in sorted(negation.items()):
                self.row(ds, de, "SavingsPlanNegation", "AmazonEC2", ut, "RunInstances", "", amt, 0.0,
                         f"SavingsPlanNegation used by AccountId : {self.acct} and UsageSku : {_hex(rng, 16).upper()}",
                         family="Compute Instance", az=zone, public=Decimal(0),
                         savings_plan_savings_plan_a_r_n=self.sp_arn)
            # savings plan commitment for the day: a little above what the covered nodes used
            self.row(ds, de, "SavingsPlanRecurringFee", "ComputeSavingsPlans", "ComputeSP:1yrNoUpfront",
                     "", self.sp_arn, commit_hourly * 24, 24.0,
                     f"1 year No Upfront Compute Savings Plan with {commit_hourly} hourly commitment",
                     public=Decimal(0), savings_plan_savings_plan_a_r_n=self.sp_arn,
                     savings_plan_total_commitment_to_date=q(commit_hourly * 24),
                     savings_plan_used_commitment=q(used_hourly * 24),
                     savings_plan_recurring_commitment_for_billing_period=q(commit_hourly * 24 * days_in_month(d)),
                     savings_plan_amortized_upfront_commitment_for_billing_period=Decimal(0))
            # a few EKS split-cost rows (re-express the parent's cost: never cost themselves)
            pods_on = [p for p in k8s.pods if p.node is split_node and p.start < de and (p.end or de) > ds][:3]
            od = INSTANCE_TYPES[split_node.instance_type][2]
            for p in pods_on:
                cpu = sum(c.cpu_m for c in p.containers) / 1000
                ratio = round(cpu / split_node.cpu_cores, 6)
                self.row(ds, de, "Usage", "AmazonEC2", "USE1-EKS-EC2-vCPU-Hours", "EKSPod-EC2",
                         f"arn:aws:eks:{REGION}:{self.acct}:pod/{CLUSTER}/{p.namespace}/{p.name}/{p.uid}",
                         Decimal(0), round(cpu * 24, 6), "Split cost allocation for EKS pod vCPU", unit="vCPU-Hours",
                         public=Decimal(0), tags={"aws_eks_cluster_name": CLUSTER},
                         split_line_item_parent_resource_id=split_node.instance_id,
                         split_line_item_split_usage=round(cpu * 24, 6),
                         split_line_item_split_usage_ratio=ratio,
                         split_line_item_split_cost=q(od * 24 * Decimal(str(ratio)) * Decimal("0.65")),
                         split_line_item_unused_cost=q(od * 24 * Decimal(str(ratio)) * Decimal("0.1")),
                         split_line_item_public_on_demand_split_cost=q(od * 24 * Decimal(str(ratio))))
            # ---- non-cluster EC2: bastion (untagged) and a tenant's dedicated GPU box (tagged, not a node)
            for iid, itype, tags in ((bastion, "t3.small", {"user_team": "platform", "Name": "bastion"}),
                                     (gpu_box, "g5.xlarge", {"user_tenant": gpu_tenant.id, "user_feature": "ingest",
                                                             "user_team": "ml"})):
                od = INSTANCE_TYPES[itype][2]
                r = self.row(ds, de, "Usage", "AmazonEC2", f"USE1-BoxUsage:{itype}", "RunInstances", iid, od * 24,
                             24.0, f"${od} per On Demand Linux {itype} Instance Hour", family="Compute Instance",
                             instance_type=itype, az=AZS[0], tags=tags, rate=od)
                add_usage(r)
            # ---- NAT gateways (untagged, shared service)
            for nat in nat_ids:
                arn = f"arn:aws:ec2:{REGION}:{self.acct}:natgateway/{nat}"
                r = self.row(ds, de, "Usage", "AmazonEC2", "USE1-NatGateway-Hours", "NatGateway", arn,
                             Decimal("0.045") * 24, 24.0, "$0.045 per NAT Gateway Hour", family="NAT Gateway",
                             rate=Decimal("0.045"))
                add_usage(r)
                gb = round(rng.uniform(30, 90) * wf * len(tenants) / 10, 6)
                r = self.row(ds, de, "Usage", "AmazonEC2", "USE1-NatGateway-Bytes", "NatGateway", arn,
                             q(Decimal(str(gb)) * Decimal("0.045")), gb, "$0.045 per GB Data Processed by NAT Gateways",
                             unit="GB", family="NAT Gateway", rate=Decimal("0.045"))
                add_usage(r)
            # ---- RDS: one per enterprise tenant (tagged), one shared (untagged)
            for i, t in enumerate(rds_tenants + [None]):
                name = f"{t.id}-prod" if t else "platform-shared"
                arn = f"arn:aws:rds:{REGION}:{self.acct}:db:{name}"
                tags = ({"user_tenant": t.id, **({"user_feature": "chat"} if i % 2 == 0 else {}), "user_team": "data"}
                        if t else {"user_team": "data"})
                itype = "db.r6g.xlarge" if t is None or i == 0 else "db.r6g.large"
                rate = Decimal("0.52") if itype == "db.r6g.xlarge" else Decimal("0.26")
                r = self.row(ds, de, "Usage", "AmazonRDS", f"USE1-InstanceUsage:{itype}", "CreateDBInstance:0016",
                             arn, rate * 24, 24.0, f"${rate} per RDS {itype} instance hour (or partial hour) running "
                             "PostgreSQL", family="Database Instance", instance_type=itype, az=AZS[i % 3], tags=tags,
                             rate=rate)
                add_usage(r)
                gbm = Decimal(200 if t is None else 100)
                mo = Decimal(days_in_month(d))
                r = self.row(ds, de, "Usage", "AmazonRDS", "USE1-RDS:GP3-Storage", "CreateDBInstance:0016", arn,
                             q(gbm * Decimal("0.115") / mo), round(float(gbm / mo), 8),
                             "$0.115 per GB-month of provisioned GP3 storage running PostgreSQL", unit="GB-Mo",
                             family="Database Storage", az=AZS[i % 3], tags=tags, rate=Decimal("0.115"))
                add_usage(r)
            # ---- S3: tenant+feature buckets, one tenant-only, one feature-only, one untagged
            buckets = [(f"unitcost-{t.id}-uploads", {"user_tenant": t.id, "user_feature": "ingest"}, t.size)
                       for t in s3_tenants]
            if s3_tenants:
                buckets.append((f"unitcost-{s3_tenants[0].id}-exports", {"user_tenant": s3_tenants[0].id}, 0.05))
            buckets.append(("unitcost-search-index", {"user_feature": "search"}, 0.3))
            buckets.append(("unitcost-logs", {}, 0.2))
            for bucket, tags, weight in buckets:
                gbm = Decimal(str(round(50 + 4000 * weight * rng.uniform(0.9, 1.1), 3)))
                mo = Decimal(days_in_month(d))
                r = self.row(ds, de, "Usage", "AmazonS3", "USE1-TimedStorage-ByteHrs", "StandardStorage", bucket,
                             q(gbm * Decimal("0.023") / mo), round(float(gbm / mo), 8),
                             "$0.023 per GB - first 50 TB / month of storage used", unit="GB-Mo",
                             family="Storage", tags=tags, rate=Decimal("0.023"))
                add_usage(r)
                reqs = int(20000 + 2_000_000 * weight * wf * rng.uniform(0.8, 1.2))
                r = self.row(ds, de, "Usage", "AmazonS3", "USE1-Requests-Tier1", "PutObject", bucket,
                             q(Decimal(reqs) * Decimal("0.000005")), float(reqs),
                             "$0.005 per 1,000 PUT, COPY, POST, or LIST requests", unit="Requests",
                             family="API Request", tags=tags, rate=Decimal("0.000005"))
                add_usage(r)

        # ---- monthly charges (usage period = the billing period): support, tax, RI fee; and one credit
        for p in sorted({month_start(d) for d in self.window}):
            ps, pe = day_start(p), day_start(next_month(p))
            in_period = [d for d in self.window if month_start(d) == p]
            factor = Decimal(days_in_month(p)) / Decimal(len(in_period))
            ri_type = next(n for n in k8s.nodes if n.pricing == "ri").instance_type
            ri_eff, ri_upfront = INSTANCE_TYPES[ri_type][4:6]
            hours = Decimal(24 * days_in_month(p))
            unused_h = Decimal(rng.randrange(3, 12))
            recurring = ri_eff - ri_upfront
            self.row(ps, pe, "RIFee", "AmazonEC2", f"USE1-HeavyUsage:{ri_type}", "RunInstances", self.ri_arn,
                     recurring * hours, float(hours), f"Linux/UNIX (Amazon VPC), {ri_type} reserved instance applied",
                     family="Compute Instance", public=Decimal(0), reservation_reservation_a_r_n=self.ri_arn,
                     reservation_amortized_upfront_fee_for_billing_period=q(ri_upfront * hours),
                     reservation_unused_amortized_upfront_fee_for_billing_period=q(ri_upfront * unused_h),
                     reservation_unused_recurring_fee=q(recurring * unused_h),
                     reservation_unused_quantity=float(unused_h), reservation_recurring_fee_for_usage=Decimal(0))
            est_month = {prod: amt * factor for (pp, prod), amt in month_usage.items() if pp == p}
            support = max(Decimal(100), q(sum(est_month.values()) * Decimal("0.10"), Q2))
            self.row(ps, pe, "Fee", "AWSSupportBusiness", "Dollar", "", "", support, 1.0,
                     "AWS Support (Business)", unit="", family="AWS Support")
            for prod in sorted(est_month):
                tax = q(est_month[prod] * Decimal("0.0625"), Q2)
                self.row(ps, pe, "Tax", prod, "", "", "", tax, 1.0, f"Tax for product code {prod}", unit="",
                         line_item_tax_type="Sales Tax")
            self.row(ps, pe, "Tax", "AWSSupportBusiness", "", "", "", q(support * Decimal("0.0625"), Q2), 1.0,
                     "Tax for product code AWSSupportBusiness", unit="", line_item_tax_type="Sales Tax")
            cd = in_period[len(in_period) // 2]
            self.row(day_start(cd), day_start(cd) + timedelta(days=1), "Credit", "AmazonEC2", "", "", "",
                     Decimal("-25.00"), 0.0, "AWS Credits - Activate", unit="", public=Decimal(0))


# ----------------------------------------------------------------------------------------------------------------
# LLM calls


def _lognormal_tokens(rng: random.Random, median: float, sigma: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, int(rng.lognormvariate(math.log(median), sigma))))


def _build_llm_calls(window: list[date], tenants: list[Tenant], rng: random.Random, scale: float) -> list[LlmCall]:
    calls: list[LlmCall] = []
    per_tenant = 60.0 * scale
    n = len(tenants)
    convs: dict[tuple[str, str], list[str]] = {}
    hour_w = [diurnal(h) for h in range(24)]
    for d in window:
        ds = day_start(d)
        day_calls: list[LlmCall] = []
        for t in tenants:
            lam = per_tenant * n * t.size * weekday_factor(d)
            k = poisson(rng, lam)
            for _ in range(k):
                feature = rng.choice(t.llm_features)
                model = rng.choices([m for m, _ in FEATURE_MODELS[feature]], [w for _, w in FEATURE_MODELS[feature]])[0]
                otel, pid, resp = MODELS[model]
                at = ds + timedelta(hours=rng.choices(range(24), hour_w)[0], seconds=rng.randrange(0, 3600),
                                    microseconds=rng.randrange(0, 1000) * 1000)
                im, isg, om, osg = FEATURE_TOKENS[feature]
                inp = _lognormal_tokens(rng, im, isg, 20, MAX_INPUT)
                out = _lognormal_tokens(rng, om, osg, 1, 16000)
                cr = cw = cw1h = reasoning = 0
                batch = False
                tier = "default"
                if otel == "openai":
                    if inp >= 1024 and rng.random() < 0.45:
                        cr = int(inp * rng.uniform(0.3, 0.9)) // 128 * 128
                    if feature == "ingest" and rng.random() < 0.7:
                        batch = True
                    elif model == "o3" and rng.random() < 0.25:
                        tier = "flex"
                    elif model in ("gpt-4.1", "gpt-4o-mini") and feature in ("api", "search") and rng.random() < 0.12:
                        tier = "priority"
                    if model == "o3":
                        out = max(out, 50)
                        reasoning = int(out * rng.uniform(0.3, 0.8))
                elif otel == "anthropic":
                    if rng.random() < 0.6:
                        cr = int(inp * rng.uniform(0.3, 0.85))
                    if rng.random() < 0.25:
                        cw = int((inp - cr) * rng.uniform(0.2, 0.8))
                        if rng.random() < 0.3:
                            cw1h = int(cw * rng.uniform(0.3, 1.0))
                    if feature in ("ingest", "summarize") and rng.random() < 0.35:
                        batch = True
                else:  # gemini
                    if rng.random() < 0.2:
                        cr = int(inp * rng.uniform(0.2, 0.7))
                    if rng.random() < 0.5:
                        reasoning = int(out * rng.uniform(0.2, 0.7))
                key = (t.id, feature)
                pool = convs.setdefault(key, [])
                if pool and rng.random() < 0.6:
                    conv = rng.choice(pool[-20:])
                else:
                    conv = "conv_" + _hex(rng, 24)
                    pool.append(conv)
                u = rng.random()
                style = "Z" if u < 0.88 else ("+00:00" if u < 0.97 else "offset")
                offset = rng.choice(OFFSETS_MIN) if style == "offset" else 0
                extra: dict[str, object] = {"gen_ai.operation.name": "chat"}
                if rng.random() < 0.1:
                    extra["http.route"] = f"/v1/{feature}"
                day_calls.append(LlmCall(
                    event_id=_uuid(rng), at=at, offset_min=offset, offset_style=style, millis=rng.random() < 0.7,
                    tenant_id=t.id, feature_id=feature, provider_name=otel, provider_id=pid, request_model=model,
                    response_model=resp, input_tokens=inp, output_tokens=out, cache_read=cr, cache_creation=cw,
                    cache_creation_1h=cw1h, reasoning=reasoning, conversation_id=conv, service_tier=tier,
                    batch=batch, extra=extra))
        # near-midnight events written by non-UTC writers: their folder (local date) differs from the UTC day
        if day_calls:
            early = rng.choice(day_calls)
            early.at = ds + timedelta(hours=1, minutes=59, seconds=30)
            early.offset_min, early.offset_style, early.millis = -120, "offset", False  # 23:59:30-02:00, day before
            late = rng.choice([c for c in day_calls if c is not early] or [early])
            if late is not early:
                late.at = ds + timedelta(hours=23, minutes=rng.randrange(0, 59), seconds=rng.randrange(0, 60))
                late.offset_min, late.offset_style = 540, "offset"  # +09:00: next local day
        calls.extend(day_calls)
    calls.sort(key=lambda c: (c.at, c.event_id))
    return calls


# ----------------------------------------------------------------------------------------------------------------
# request volume (Prometheus increase(http_requests_total[1h]) by tenant and feature)


def _build_requests(window: list[date], tenants: list[Tenant], rng: random.Random, scale: float):
    out: dict[date, dict[tuple[str, str], list[tuple[int, str]]]] = {}
    hour_w = [diurnal(h) for h in range(24)]
    hw_total = sum(hour_w)
    base = {"api": 400_000.0, "search": 120_000.0}
    for d in window:
        series: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for t in tenants:
            for f in t.request_features:
                daily = base[f] * scale * (t.size ** 0.85) * weekday_factor(d) * rng.lognormvariate(0, 0.1)
                samples = []
                for h in range(24):
                    ts = int((day_start(d) + timedelta(hours=h + 1)).timestamp())  # covers (ts-1h, ts]
                    v = daily * hour_w[h] / hw_total * rng.uniform(0.85, 1.15)
                    samples.append((ts, repr(round(v, 6))))
                series[(t.id, f)] = samples
        out[d] = series
    return out


# ----------------------------------------------------------------------------------------------------------------
# business data (plans from the model; enterprise MRR from what the tenant actually costs)


def business_tables(model: Model, tenant_cost: dict[str, Decimal], feature_llm_cost: dict[str, Decimal]):
    """tenants, revenue and budgets rows. tenant_cost: Σ truth over the window per tenant."""
    rng = _rng(model.seed, "business")
    months = sorted({month_start(d) for d in model.window})
    tenants_rows = [(t.id, t.name, t.plan) for t in sorted(model.tenants, key=lambda t: t.id)]
    revenue_rows = []
    mrr: dict[str, Decimal] = {}
    for t in sorted(model.tenants, key=lambda t: t.id):
        monthly_cost = tenant_cost.get(t.id, Decimal(0)) * 30 / model.days
        if t.plan == "free":
            mrr[t.id] = Decimal(0)
        elif t.plan == "starter":
            mrr[t.id] = Decimal(rng.choice((49, 99, 199)))
        elif t.plan == "pro":
            mrr[t.id] = Decimal(rng.choice((499, 799, 999, 1499)))
        else:
            markup = Decimal(str(rng.uniform(1.4, 2.6)))
            mrr[t.id] = max(Decimal(5000), q(monthly_cost * markup / 100, Decimal(1)) * 100)
    for m in months:
        for t in sorted(model.tenants, key=lambda t: t.id):
            revenue_rows.append((m.strftime("%Y-%m"), t.id, f"{mrr[t.id]:.2f}"))
    budget_rows = []
    for m in months:
        for f in LLM_FEATURES:
            est = feature_llm_cost.get(f, Decimal(0)) * 30 / model.days
            budget = max(Decimal(100), q(est * Decimal(str(rng.uniform(0.9, 1.4))) / 100, Decimal(1)) * 100)
            budget_rows.append((m.strftime("%Y-%m"), f, f"{budget:.2f}"))
    return tenants_rows, revenue_rows, budget_rows
