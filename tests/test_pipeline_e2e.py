"""The whole path: synthetic landing zone → Dagster raw assets → dbt → marts, checked against the generator's
ground truth (which is computed from the generation model, never by running the pipeline)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import run_pipeline
from synthetic import generate

pytestmark = pytest.mark.slow

START = date(2026, 10, 1)
DAYS = 4
END = START + timedelta(days=DAYS - 1)
MARTS = ["cost_ledger", "allocation_breakdown", "tenant_daily_cost", "bill_reconciliation_daily", "dim_tenant",
         "cost_per_request", "feature_daily_cost", "tenant_gross_margin_monthly", "unit_economics_daily",
         "bill_reconciliation_period", "llm_token_economics_daily"]


def _read_csv(path: Path) -> list[dict]:
    with path.open() as fh:
        return list(csv.DictReader(fh))


def _warehouse(root: Path) -> Path:
    return root / "warehouse" / "unitcost.duckdb"


def _query(root: Path, sql: str, params=None):
    with duckdb.connect(str(_warehouse(root)), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _table_hashes(root: Path, schema: str, tables: list[str]) -> dict[str, str]:
    """An order-independent digest of each table's rows."""
    out = {}
    with duckdb.connect(str(_warehouse(root)), read_only=True) as con:
        for table in tables:
            rows = sorted(repr(r) for r in con.execute(f"select * from {schema}.{table}").fetchall())
            out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def _mart_hashes(root: Path) -> dict[str, str]:
    return _table_hashes(root, "marts", MARTS)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    config = generate(root, START, DAYS, 8, seed=11)
    result = run_pipeline(str(config), START, END, raise_on_error=False)
    assert result.success, "the first run of the pipeline failed"
    return root, config, result


def test_ledger_daily_totals_equal_generator_truth(pipeline):
    root, _, _ = pipeline
    truth: dict[str, Decimal] = defaultdict(Decimal)
    for row in _read_csv(root / "ground_truth" / "daily_truth.csv"):
        truth[row["usage_date"]] += Decimal(row["amount_usd"])
    ledger = {
        d.isoformat(): amount
        for d, amount in _query(root, "select usage_date, sum(amount_usd) from marts.cost_ledger group by 1")
    }
    assert sorted(ledger) == sorted(truth)
    for day, expected in truth.items():
        assert abs(ledger[day] - expected) < Decimal("0.000001"), (day, ledger[day], expected)


def test_each_tenant_cost_matches_default_policy_ground_truth(pipeline):
    root, _, _ = pipeline
    truth: dict[str, Decimal] = defaultdict(Decimal)
    for row in _read_csv(root / "ground_truth" / "tenant_daily_cost.csv"):
        truth[row["tenant_id"]] += Decimal(row["amount_usd"])
    ledger = dict(_query(root, "select tenant_id, sum(amount_usd) from marts.cost_ledger group by 1"))
    checked = 0
    for tenant, expected in truth.items():
        if abs(expected) <= 1 and tenant not in ("__idle__", "__unallocated__"):
            continue
        got = ledger.get(tenant, Decimal(0))
        assert abs(got - expected) <= Decimal("0.005") * abs(expected), (tenant, got, expected)
        checked += 1
    assert checked >= 5
    assert ledger.get("__idle__", 0) > 0, "the generated cluster has idle capacity"
    assert ledger.get("__unallocated__", 0) > 0, "the generated bill has untagged cost"


def test_ledger_has_direct_shared_idle_and_unallocated_rows(pipeline):
    root, _, _ = pipeline
    types = dict(_query(root, "select cost_type, count(*) from marts.cost_ledger group by 1"))
    assert {"direct", "shared", "idle", "unallocated"} <= set(types)
    rules = {r for (r,) in _query(root, "select distinct rule_id from marts.cost_ledger")}
    assert {"direct", "node_idle", "shared_workload_requests"} <= rules
    # every dollar a rule moved is in the breakdown
    moved = _query(root, "select sum(amount_usd) from marts.cost_ledger where cost_type = 'shared'")[0][0]
    breakdown = _query(root, "select sum(amount_usd) from marts.allocation_breakdown where to_tenant_id <> '__unallocated__'")[0][0]
    assert moved == breakdown


def test_rerun_reexecutes_every_asset_and_changes_no_mart(pipeline):
    root, config, first = pipeline
    before = _mart_hashes(root)
    again = run_pipeline(str(config), START, END, raise_on_error=False)
    assert again.success
    materialized = {e.asset_key.to_user_string() for e in again.get_asset_materialization_events()}
    assert {"raw/cur_line_items", "raw/opencost_allocations", "raw/k8s_objects", "raw/llm_events", "raw/request_counts",
            "marts/cost_ledger", "serving/marts_copy"} <= materialized
    assert materialized == {e.asset_key.to_user_string() for e in first.get_asset_materialization_events()}
    assert _mart_hashes(root) == before


def test_changed_llm_file_changes_exactly_its_contribution(pipeline, tmp_path):
    from synthetic.llm_reference_prices import price_call

    root, config, _ = pipeline
    day = START + timedelta(days=1)
    folder = root / "landing" / "llm" / day.isoformat()
    target = sorted(folder.glob("*.jsonl"))[0]
    backup = tmp_path / "backup.jsonl"
    shutil.copy(target, backup)
    lines = target.read_text().splitlines()
    # drop one event that belongs to this folder's own UTC day
    for i, line in enumerate(lines):
        event = json.loads(line)
        if event["timestamp"].startswith(day.isoformat()) and event["timestamp"].endswith(("Z", "+00:00")):
            removed = event
            del lines[i]
            break
    else:
        pytest.fail("no event to remove")
    removed_cost = price_call(
        model=removed.get("gen_ai.response.model") or removed["gen_ai.request.model"],
        provider=removed["gen_ai.provider.name"],
        timestamp=datetime.fromisoformat(removed["timestamp"].replace("Z", "+00:00")),
        input_tokens=removed.get("gen_ai.usage.input_tokens", 0),
        output_tokens=removed.get("gen_ai.usage.output_tokens", 0),
        cache_read_tokens=removed.get("gen_ai.usage.cache_read.input_tokens", 0),
        cache_write_tokens=removed.get("gen_ai.usage.cache_creation.input_tokens", 0),
        cache_write_1h_tokens=removed.get("cache_creation_1h.input_tokens", 0),
        reasoning_tokens=removed.get("gen_ai.usage.reasoning.output_tokens", 0),
        service_tier=removed.get("service_tier"),
        batch=bool(removed.get("batch")),
    )
    assert removed_cost > 0
    before = dict(
        ((d.isoformat(), s), a)
        for d, s, a in _query(root, "select usage_date, source_id, sum(amount_usd) from marts.cost_ledger group by 1, 2")
    )
    target.write_text("\n".join(lines) + "\n")
    try:
        assert run_pipeline(str(config), day, day, raise_on_error=False).success
        after = dict(
            ((d.isoformat(), s), a)
            for d, s, a in _query(root, "select usage_date, source_id, sum(amount_usd) from marts.cost_ledger group by 1, 2")
        )
    finally:
        shutil.copy(backup, target)
        assert run_pipeline(str(config), day, day, raise_on_error=False).success
    changed = {k for k in before if before[k] != after.get(k)}
    provider_source = next(k for k in changed)
    assert changed == {provider_source}
    assert provider_source[0] == day.isoformat() and provider_source[1].startswith("llm:")
    assert before[provider_source] - after[provider_source] == removed_cost


RAW_TABLES = ["cur_line_items", "opencost_allocations", "opencost_assets", "k8s_objects", "llm_events",
              "request_counts", "tenants", "revenue"]


def _raw_hashes(root: Path) -> dict[str, str]:
    return _table_hashes(root, "raw", RAW_TABLES)


# (glob under landing/ for a file of the last day, what to write into it)
BAD_FILES = {
    "opencost": ("opencost/*/{day}/allocation.json", '{"code": 200, "status": "success", "data": ['),
    "kubernetes": ("kubernetes/*/{day}T06-00-00Z/*.json", '{"apiVersion": "v1", "kind": "List", "items": [{'),
    "llm": ("llm/{day}/*.jsonl", '{"event_id": "x", "timestamp": "2026-10-04T01:00:00Z"\nnot json at all\n'),
    "requests": ("requests/{day}.json", '{"status": "error", "errorType": "timeout", "error": "query timed out"}'),
    "business": ("business/revenue.csv", "month,tenant_id\n2026-10,t001\n"),
}


@pytest.mark.parametrize("source", sorted(BAD_FILES))
def test_unparseable_file_fails_with_its_name_and_loses_nothing(pipeline, tmp_path, source):
    root, config, _ = pipeline
    pattern, content = BAD_FILES[source]
    bad = sorted((root / "landing").glob(pattern.format(day=END.isoformat())))[0]
    backup = tmp_path / "backup"
    shutil.copy(bad, backup)
    before = _raw_hashes(root)
    ledger_before = _mart_hashes(root)["cost_ledger"]
    bad.write_text(content)
    try:
        result = run_pipeline(str(config), END, END, raise_on_error=False)
        assert not result.success
        failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        assert len(failures) == 1, [f.step_key for f in failures]
        assert bad.name in str(failures[0].event_specific_data.error)
        # the failed source kept its previous rows; every other source re-loaded the same rows
        assert _raw_hashes(root) == before
        # nothing downstream ran on a half-loaded day
        assert _mart_hashes(root)["cost_ledger"] == ledger_before
    finally:
        shutil.copy(backup, bad)


def test_deployment_relabelled_at_noon_splits_its_last_day_by_time(pipeline):
    """The generator hands the ingest Deployment to another tenant at noon of the last day (labels in force,
    docs/kubernetes.md): that day both tenants own its pods, each for its half, and both tenants' days equal the
    truth (which splits the day by time) to the micro-dollar - owning the whole day by its latest labels would be off
    by half the Deployment's cost."""
    from synthetic.model import build_model

    root, _, _ = pipeline
    (ingest,) = [c for c in build_model(START, DAYS, 8, seed=11).controllers if c.relabels]
    before, after = ingest.labels["tenant"], ingest.relabels[0][1]["tenant"]
    owned = dict(((d, t), a) for d, t, a in _query(
        root, "select usage_date, tenant_id, sum(amount_usd) from marts.cost_ledger where feature_id = 'ingest' "
              "and cost_source = 'kubernetes' and cost_type = 'direct' and rule_id = 'direct' and tenant_id in (?, ?) "
              "group by 1, 2", [before, after]))
    # both own a part of the last day (the Deployment's pods ran on both sides of noon)
    assert owned[(END, after)] > 0 and owned[(END, before)] > 0
    truth = {(r["usage_date"], r["tenant_id"]): Decimal(r["amount_usd"])
             for r in _read_csv(root / "ground_truth" / "tenant_daily_cost.csv")}
    ledger = dict(((d.isoformat(), t), a) for d, t, a in _query(
        root, "select usage_date, tenant_id, sum(amount_usd) from marts.cost_ledger where tenant_id in (?, ?) "
              "group by 1, 2", [before, after]))
    for tenant in (before, after):
        for i in range(DAYS):
            day = (START + timedelta(days=i)).isoformat()
            assert abs(ledger[(day, tenant)] - truth[(day, tenant)]) < Decimal("0.000001"), (day, tenant)
