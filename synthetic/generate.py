"""`generate()`: a synthetic landing zone in the real upstream formats, its ground truth and a config pointing at it.

Layout written under out_dir:
    unitcost.yaml                         config (relative paths)
    landing/cur/unitcost-demo/...         AWS CUR 2.0 export (Parquet, DAILY) + manifests
    landing/opencost/<cluster>/<day>/     OpenCost /allocation (no aggregate, with __idle__; or hourly sets) and /assets
    landing/kubernetes/<cluster>/<ts>/    kubectl List snapshots every 6 hours
    landing/llm/<day>/events-<n>.jsonl    native LLM usage events (folder = the writer's local date)
    landing/requests/<day>.json           Prometheus query_range of requests by tenant and feature
    landing/business/*.csv                tenants, revenue, budgets
    ground_truth/*.csv + README.md        the truth under the default policy (docs/allocation.md)

Deterministic: the same arguments write the same bytes. Imports nothing from the pipeline.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from .ground_truth import compute_truth, write_truth
from .model import build_model
from .model.business import business_tables
from .model.common import EXPORT_NAME
from .writers import (
    write_business,
    write_config,
    write_cur,
    write_kubectl,
    write_llm,
    write_opencost,
    write_requests,
)


def generate(out_dir: Path, start: date, days: int, tenants: int, seed: int, scale: float = 1.0,
             opencost_step: str = "1d", bulk: bool = False) -> Path:
    """Write out_dir/landing/..., out_dir/ground_truth/..., out_dir/unitcost.yaml; return the config path.
    `opencost_step="1h"` writes each day's /allocation as 24 hourly sets (the numbers stay the same).
    `bulk`: the vectorised generator of sizes M and L (synthetic/bulk/; OpenCost always hourly)."""
    out_dir = Path(out_dir)
    _prepare(out_dir)
    if bulk:
        from .bulk import generate_bulk

        if days < 1 or tenants < 1 or scale <= 0:
            raise ValueError("days and tenants must be >= 1 and scale > 0")
        return generate_bulk(out_dir, start, days, tenants, seed, scale)
    model = build_model(start, days, tenants, seed, scale)
    truth = compute_truth(model)
    totals = truth.tenant_totals()
    tenants_rows, revenue_rows, budget_rows = business_tables(model, totals, truth.feature_llm_cost)

    landing = out_dir / "landing"
    write_cur(model, landing / "cur" / EXPORT_NAME)
    write_opencost(model, landing / "opencost", opencost_step)
    write_kubectl(model, landing / "kubernetes")
    write_llm(model, landing / "llm")
    write_requests(model, landing / "requests")
    write_business(landing / "business", tenants_rows, revenue_rows, budget_rows)
    write_truth(truth, out_dir / "ground_truth")
    config = out_dir / "unitcost.yaml"
    write_config(config, start, seed)
    return config


def _prepare(out_dir: Path) -> None:
    """Regenerating into a zone this generator wrote replaces it; never touch a landing zone it did not write."""
    landing, truth = out_dir / "landing", out_dir / "ground_truth"
    if landing.exists() and any(landing.iterdir()):
        if not (truth / "README.md").exists():
            raise FileExistsError(f"{landing} exists and was not written by the generator; choose an empty folder")
        shutil.rmtree(landing)
    if truth.exists():
        shutil.rmtree(truth)
    out_dir.mkdir(parents=True, exist_ok=True)
