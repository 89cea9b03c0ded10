"""The bulk generator (sizes M and L): a small M-shaped zone (M's mix and shape, few tenants and days) goes through
the whole pipeline and every tenant's ledger total equals the ground truth within 5e-9; the bill mix is M's; the
size flags override only what they name."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dagster_project.cli import run_pipeline
from synthetic import generate
from synthetic.bulk.budget import MIX
from synthetic.sizes import SIZES, resolve

pytestmark = pytest.mark.slow

START = date(2026, 10, 1)
DAYS = 2
TENANTS = 40


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bulk")
    size = resolve("M", days=DAYS, tenants=TENANTS)
    config = generate(root, START, size.days, size.tenants, seed=3, scale=size.scale, bulk=size.bulk)
    result = run_pipeline(str(config), START, START + timedelta(days=DAYS - 1), raise_on_error=False)
    assert result.success
    return root


def _truth(root: Path, name: str, key: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    with open(root / "ground_truth" / name) as fh:
        for row in csv.DictReader(fh):
            out[row[key]] += Decimal(row["amount_usd"])
    return dict(out)


def test_every_tenant_ledger_total_equals_the_ground_truth(zone):
    truth = _truth(zone, "tenant_daily_cost.csv", "tenant_id")
    with duckdb.connect(str(zone / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        ledger = dict(con.execute("select tenant_id, sum(amount_usd) from marts.cost_ledger group by 1").fetchall())
    assert len(truth) == TENANTS + 2 and set(ledger) <= set(truth)
    for tenant, expected in truth.items():
        assert abs(ledger.get(tenant, Decimal(0)) - expected) <= Decimal("0.000000005"), tenant
    assert truth["__idle__"] > 0 and truth["__unallocated__"] > 0
    assert sum(1 for t, v in truth.items() if v > 0) == TENANTS + 2


def test_bill_mix_is_m_shaped(zone):
    cur = pl.read_parquet(zone / "landing" / "cur" / "unitcost-demo" / "data" / "**" / "*.parquet")
    cost = pl.col("line_item_unblended_cost")
    ut = pl.col("line_item_usage_type")
    shares = cur.select(
        eks_compute=cost.filter(pl.col("line_item_operation") == "RunInstances", ~ut.str.contains("DataXfer")).sum(),
        rds=cost.filter(pl.col("line_item_product_code") == "AmazonRDS").sum(),
        s3=cost.filter(pl.col("line_item_product_code") == "AmazonS3").sum(),
        data_transfer=cost.filter(ut.str.contains("DataTransfer|DataXfer")).sum(),
    ).to_dicts()[0]
    llm = sum(v for k, v in _truth(zone, "daily_truth.csv", "source_id").items() if k.startswith("llm:"))
    shares["llm"] = float(llm)
    total = sum(shares.values())
    assert abs(total - sum(float(v) for v in _truth(zone, "daily_truth.csv", "source_id").values())) < 1e-3
    for category, share in MIX.items():
        assert abs(shares[category] / total - share) < 0.03, (category, shares[category] / total)


def test_zone_has_m_shape(zone):
    clusters = sorted(p.name for p in (zone / "landing" / "opencost").iterdir())
    assert len(clusters) >= 1
    alloc = (zone / "landing" / "opencost" / clusters[0] / START.isoformat() / "allocation.json").read_text()
    import json

    sets = json.loads(alloc)["data"]
    assert len(sets) == 24  # hourly /allocation steps
    pods_h0 = {e["properties"]["pod"] for e in sets[0].values()}
    pods_h23 = {e["properties"]["pod"] for e in sets[23].values()}
    assert pods_h0 != pods_h23  # pods were rescheduled during the day
    reqs = json.loads((zone / "landing" / "requests" / f"{START.isoformat()}.json").read_text())["data"]["result"]
    assert len(reqs) == TENANTS * 5 and all(len(s["values"]) == 24 for s in reqs)  # every tenant x feature, hourly
    cur = pl.read_parquet(zone / "landing" / "cur" / "unitcost-demo" / "data" / "**" / "*.parquet")
    assert cur["identity_time_interval"].n_unique() == 24 * DAYS  # hourly line items
    assert cur.filter(pl.col("line_item_resource_id") == "").height == 0


def test_size_flags_override_only_what_they_name():
    assert resolve("M") == SIZES["M"] and (SIZES["M"].days, SIZES["M"].tenants) == (30, 500)
    assert SIZES["L"].tenants == 10 * SIZES["M"].tenants
    m = resolve("M", days=3)
    assert (m.days, m.tenants, m.scale, m.bulk) == (3, 500, 1.0, True)
    s = resolve("S", tenants=7)
    assert (s.days, s.tenants, s.bulk) == (14, 7, False)
    with pytest.raises(ValueError, match="size 'XL'"):
        resolve("XL")


def test_generate_size_s_is_the_demo_generator(tmp_path):
    import hashlib

    from dagster_project.cli import main

    assert main(["generate", "--size", "S", "--days", "1", "--tenants", "3", "--out", str(tmp_path / "a")]) == 0
    generate(tmp_path / "b", date(2026, 10, 1), 1, 3, seed=7)

    def tree(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_bulk_zone_is_deterministic(tmp_path):
    import hashlib

    def tree(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    for name in ("a", "b"):
        generate(tmp_path / name, START, 1, 6, seed=9, bulk=True)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    generate(tmp_path / "c", START, 1, 6, seed=10, bulk=True)
    assert tree(tmp_path / "a") != tree(tmp_path / "c")
