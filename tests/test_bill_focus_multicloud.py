"""The FinOps Foundation's multi-cloud FOCUS sample (AWS, Microsoft, Oracle) through the whole pipeline, as a new user
would run it: a folder holding the file, `format: focus`, and owner tag keys given as lists because the providers tag
differently (AWS and Oracle rows carry business_unit / application, the Microsoft rows org / Project)."""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import run_pipeline

pytestmark = pytest.mark.slow

SAMPLE = "focus_1_0_sample_multicloud_300rows.csv"
TENANT_TAGS = ["business_unit", "org"]
FEATURE_TAGS = ["application", "Project"]
NANO = Decimal("0.000000001")

# What docs/cloud-bill.md promises for each FOCUS ServiceCategory, written out here rather than read from the seed
CATEGORY_OF_SERVICE_CATEGORY = {
    "AI and Machine Learning": "ai_tokens", "Analytics": "other", "Business Applications": "other",
    "Compute": "compute", "Databases": "database", "Developer Tools": "other", "Identity": "other",
    "Integration": "other", "Internet of Things": "other", "Management and Governance": "other", "Media": "other",
    "Migration": "other", "Mobile": "other", "Multicloud": "other", "Networking": "network", "Security": "other",
    "Storage": "storage", "Web": "compute", "Other": "other",
}
# ...and the ServiceNames of the sample that it classifies as the CUR classifies the same service
CATEGORY_OF_SERVICE_NAME = {
    "Amazon Elastic Container Service": "compute",  # Fargate tasks, filed under Other
    "Red Hat OpenShift Service on AWS": "compute",  # the managed OpenShift fee, filed under Other
    "Azure Machine Learning": "compute",  # the workspace's VMs, disks and bandwidth, as SageMaker on the CUR
}


def first_tag(tags: dict, keys: list[str]) -> str | None:
    return next((tags[k] for k in keys if tags.get(k)), None)


def expected_ledger(sample: Path) -> dict[tuple, Decimal]:
    """Σ EffectiveCost per (day, tenant, feature, category), each value rounded once to 9 decimals as it is landed."""
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in csv.DictReader(sample.open(newline="")):
        start, end = row["ChargePeriodStart"], row["ChargePeriodEnd"]
        # every row of the sample is an hour or a whole day: its dollars belong to the day it starts on
        assert end[:10] == start[:10] or end[11:19] == "00:00:00", (start, end)
        tags = json.loads(row["Tags"]) if row["Tags"] not in ("NULL", "") else {}
        tenant = first_tag(tags, TENANT_TAGS)
        feature = first_tag(tags, FEATURE_TAGS)
        assert tenant is not None or feature is None  # no feature-only rows: no split by requests below
        category = CATEGORY_OF_SERVICE_NAME.get(row["ServiceName"]) or CATEGORY_OF_SERVICE_CATEGORY[row["ServiceCategory"]]
        key = (start[:10], tenant or "__unallocated__", (feature or "__unallocated__") if tenant else "__unallocated__",
               category)
        out[key] += Decimal(row["EffectiveCost"]).quantize(NANO, ROUND_HALF_UP)
    return out


def test_multicloud_focus_sample_is_classified_attributed_and_conserved(tmp_path, reference_data):
    bill = tmp_path / "landing" / "focus"
    bill.mkdir(parents=True)
    shutil.copy(reference_data / "focus" / SAMPLE, bill / SAMPLE)
    config = tmp_path / "unitcost.yaml"
    config.write_text(
        "start_date: 2024-09-01\n"
        f"attribution: {{tenant_tag: {json.dumps(TENANT_TAGS)}, feature_tag: {json.dumps(FEATURE_TAGS)}}}\n"
        "sources:\n  cur: {uri: landing/focus, name: multicloud, format: focus}\n"
    )

    assert run_pipeline(str(config), date(2024, 9, 1), date(2024, 9, 30), raise_on_error=False).success

    expected = expected_ledger(bill / SAMPLE)
    with duckdb.connect(str(tmp_path / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        ledger = {(d.isoformat(), t, f, c): a for d, t, f, c, a in con.execute(
            "select usage_date, tenant_id, feature_id, category, sum(amount_usd) from marts.cost_ledger "
            "where source_id = 'multicloud' group by 1, 2, 3, 4").fetchall()}
        by_day = dict(con.execute(
            "select usage_date, sum(amount_usd) from marts.cost_ledger where source_id = 'multicloud' group by 1"
        ).fetchall())
        diffs = con.execute("select count(*), max(abs(diff_usd)) from marts.bill_reconciliation_daily "
                            "where source_id = 'multicloud'").fetchone()
        sources = {r[0] for r in con.execute("select distinct source_id from marts.cost_ledger").fetchall()}

    # the ledger is Σ EffectiveCost per day of the one source, to the nano-dollar
    day_totals: dict[date, Decimal] = defaultdict(Decimal)
    for (day, *_), amount in expected.items():
        day_totals[date.fromisoformat(day)] += amount
    assert sources == {"multicloud"}
    assert by_day == day_totals
    assert sum(day_totals.values()) == Decimal("4.976514186")  # the 300 rows, each rounded to 9 decimals
    assert diffs == (30, 0)
    # each dollar in its ServiceCategory's category, with the tenant and feature its tags name
    assert ledger == expected
    assert ledger[("2024-09-24", "__unallocated__", "__unallocated__", "compute")] == Decimal("-3.000000000")
    tenants = {t for _, t, _, _ in ledger}
    assert "trey" in tenants  # the Microsoft rows' owner, from `org`, the second key of the list
    assert {c for *_, c in ledger} == {"compute", "storage", "network", "database", "other"}
