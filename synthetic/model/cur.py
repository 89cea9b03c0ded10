"""The AWS bill as CUR 2.0 rows: per day, the cluster nodes (Savings Plan, Reserved Instance and On-Demand
compute, data transfer, volumes), Savings Plan negation and commitment, EKS split-cost rows, other EC2, NAT gateways,
RDS and S3; per billing period, the RI fee, support, tax and a credit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from .cluster import ClusterBuilder
from .common import (
    AZS,
    CLUSTER,
    Q2,
    REGION,
    day_start,
    days_in_month,
    iso_z,
    month_start,
    next_month,
    q,
    random_hex,
    weekday_factor,
)
from .kubernetes import INSTANCE_TYPES

_PRODUCT_NAMES = {
    "AmazonEC2": "Amazon Elastic Compute Cloud",
    "AmazonRDS": "Amazon Relational Database Service",
    "AmazonS3": "Amazon Simple Storage Service",
    "AWSSupportBusiness": "AWS Support (Business)",
    "ComputeSavingsPlans": "Savings Plans for AWS Compute usage",
    "AmazonEKS": "Amazon Elastic Container Service for Kubernetes",
}


class CurBuilder:
    """`build()` fills `rows`, one dict of CUR 2.0 columns per line item (`row()` adds one with its defaults)."""

    def __init__(self, window, tenants, k8s: ClusterBuilder, payer, usage_account, sp_arn, ri_arn, rng, scale=1.0):
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
        nat_ids = [f"nat-0{random_hex(rng, 16)}" for _ in range(2)]
        bastion = "i-0" + random_hex(rng, 16)
        gpu_box = "i-0" + random_hex(rng, 16)
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
                         f"SavingsPlanNegation used by AccountId : {self.acct} and UsageSku : "
                         f"{random_hex(rng, 16).upper()}",
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
