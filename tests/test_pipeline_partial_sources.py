"""A company without LLM logs or without Kubernetes still gets its ledger from the sources it has."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal

import duckdb
import pytest
import yaml

from dagster_project.cli import run_pipeline
from synthetic import generate

pytestmark = pytest.mark.slow

DAY = date(2026, 10, 2)


def test_bill_only_company_gets_a_conserved_ledger(tmp_path):
    config = generate(tmp_path, DAY, 1, 5, seed=5)
    cfg = yaml.safe_load(config.read_text())
    cfg["sources"] = {
        "cur": cfg["sources"]["cur"],
        "business": cfg["sources"]["business"],
        # configured but absent: skipped with a warning, never an error
        "kubernetes": {"uri": "landing/does-not-exist"},
    }
    config.write_text(yaml.safe_dump(cfg))

    result = run_pipeline(str(config), DAY, DAY, raise_on_error=False)
    assert result.success

    bill_truth: dict[str, Decimal] = defaultdict(Decimal)
    with (tmp_path / "ground_truth" / "daily_truth.csv").open() as fh:
        for row in csv.DictReader(fh):
            if row["source_id"] == "cur":
                bill_truth[row["usage_date"]] += Decimal(row["amount_usd"])
    with duckdb.connect(str(tmp_path / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        by_source = dict(con.execute(
            "select cost_source, sum(amount_usd) from marts.cost_ledger group by 1").fetchall())
        total = con.execute("select sum(amount_usd) from marts.cost_ledger").fetchone()[0]
        node_rule = con.execute(
            "select count(*) from marts.cost_ledger where cost_source = 'kubernetes'").fetchone()[0]
    # without OpenCost and snapshots no node is known: instance cost stays ordinary (untagged) cloud cost
    assert set(by_source) == {"cloud"}
    assert node_rule == 0
    assert abs(total - bill_truth[DAY.isoformat()]) < Decimal("0.000001")
