"""`generate_bulk()`: a bulk (size M / L) landing zone, its ground truth and config, in the demo's layout."""

from __future__ import annotations

import resource
import time
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..ground_truth import write_truth
from ..model.business import business_tables
from ..model.common import EXPORT_NAME, REGION, day_start, month_start, weekday_factor
from ..model.tenants import build_tenants
from ..model.common import named_rng
from ..writers import write_business
from ..writers.config import CONFIG_TEMPLATE
from .bill import build_bill
from .budget import MIX
from .fleet import build_fleet, pod_hours
from .llm import build_calls, check_sample, price_table, priced, scale_tokens
from .requests import build_request_counts
from .truth import compute_bulk_truth
from .write import write_cur
from .write_json import write_llm, write_opencost, write_requests

PRICE_SAMPLE = 2000  # calls re-priced one by one with genai-prices' calculator


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, sum(ord(c) * 131**i for i, c in enumerate(name)) % 2**63])


def generate_bulk(out_dir: Path, start: date, days: int, n_tenants: int, seed: int, scale: float = 1.0,
                  log=print) -> Path:
    t_begin = time.monotonic()

    def step(what: str) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        log(f"{what} at {time.monotonic() - t_begin:.1f}s (peak RSS {peak:.2f} GB)")

    window = [start + timedelta(days=i) for i in range(days)]
    hours = 24 * days
    t0 = day_start(start)
    weekday_h = np.repeat([weekday_factor(d) for d in window], 24)
    hour_of_day = np.tile(np.arange(24), days)
    tenants = build_tenants(n_tenants, named_rng(seed, "tenants"))
    tenant_ids = [t.id for t in tenants]

    fleet = build_fleet(tenants, hours, _rng(seed, "fleet"), scale)
    ph = pod_hours(fleet)
    bill = build_bill(fleet, tenants, hours, hour_of_day, weekday_h, _rng(seed, "bill"))
    table = price_table(t0)
    calls = priced(build_calls(tenants, [day_start(d) for d in window],
                               np.array([weekday_factor(d) for d in window]), _rng(seed, "llm"), scale), table)
    target = float(fleet.nodes["od_e8"].sum()) / 1e8 * hours / MIX["eks_compute"] * MIX["llm"]
    calls = priced(scale_tokens(calls.drop("cost_nano"), target / (calls["cost_nano"].sum() / 1e9)), table)
    checked = check_sample(calls, PRICE_SAMPLE, _rng(seed, "check"))
    requests = build_request_counts(tenants, hours, hour_of_day, weekday_h, _rng(seed, "requests"), scale)
    log(f"built {bill.height:,} CUR rows, {ph.height:,} pod-hours, {calls.height:,} LLM calls "
        f"({checked} re-priced by genai-prices), {requests.height:,} request samples")
    step("model built")

    truth = compute_bulk_truth(window, tenant_ids, fleet.nodes, ph, bill, calls, requests)
    step("ground truth computed")

    landing = out_dir / "landing"
    ids_rng = named_rng(seed, "ids")
    payer, account = str(ids_rng.randrange(10**11, 10**12)), str(ids_rng.randrange(10**11, 10**12))
    periods = sorted({month_start(d) for d in window})
    executions = {}
    for p in periods:
        last = max(d for d in window if month_start(d) == p)
        delivered = day_start(last + timedelta(days=1)) + timedelta(hours=3)
        executions[p] = (delivered.strftime("%Y%m%dT%H%M%SZ"), f"{ids_rng.getrandbits(128):032x}")
    ids = {"payer": payer, "account": account, "executions": executions, "last_day": day_start(window[-1]),
           "export_arn": f"arn:aws:bcm-data-exports:{REGION}:{payer}:export/{EXPORT_NAME}"}
    write_cur(bill, t0, landing / "cur" / EXPORT_NAME, ids, _rng(seed, "cur-ids"))
    step("CUR written")
    write_opencost(ph, fleet.nodes, t0, days, landing / "opencost")
    step("OpenCost written")
    write_llm(calls, tenant_ids, landing / "llm", _rng(seed, "event-ids"))
    step("LLM events written")
    write_requests(requests, t0, days, landing / "requests")
    model = SimpleNamespace(seed=seed, window=window, tenants=tenants, days=days)
    write_business(landing / "business", *business_tables(model, truth.tenant_totals(), truth.feature_llm_cost))
    write_truth(truth, out_dir / "ground_truth")
    config = out_dir / "unitcost.yaml"
    text = CONFIG_TEMPLATE.format(start=start.isoformat(), seed=seed, export=EXPORT_NAME)
    config.write_text("\n".join(line for line in text.splitlines() if "kubernetes:" not in line) + "\n")
    step("done")
    return config
