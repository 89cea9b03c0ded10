"""The bill of a typical AI SaaS month: dollars per tenant and the share of each category. Infrastructure grows
with tenants: the EKS node count follows the compute budget, every other category is sized from the compute the
nodes actually cost, so the mix holds for any tenant count."""

from __future__ import annotations

MONTHLY_USD_PER_TENANT = 102.0  # 500 tenants: about $51k a month
MIX = {"eks_compute": 0.36, "rds": 0.16, "s3": 0.07, "data_transfer": 0.12, "llm": 0.29}
HOURS_PER_MONTH = 720
POD_HOURS_PER_TENANT_HOUR = 4.17  # 500 tenants x 720 h: about 1.5 M OpenCost pod-hours
LLM_CALLS_PER_TENANT_DAY = 200.0  # 500 tenants x 30 days: 3 M calls


def eks_hourly_usd(tenants: int) -> float:
    return MONTHLY_USD_PER_TENANT * tenants * MIX["eks_compute"] / HOURS_PER_MONTH


def hourly_budgets(eks_actual_hourly: float) -> dict[str, float]:
    """$ per hour of each category, from what the nodes really cost per hour."""
    total = eks_actual_hourly / MIX["eks_compute"]
    return {k: total * v for k, v in MIX.items()}
