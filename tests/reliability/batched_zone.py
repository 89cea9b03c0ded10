"""The harness the property-based allocation tests share: a hypothesis example is many scenarios in ONE landing zone
and ONE pipeline run, each scenario its own payer account, cluster (c<k>) and tenant names (s<k>-...), so a dbt
build is paid per example, not per scenario. It writes the CUR 2.0 bill, OpenCost dumps and native LLM events of
one day, runs the pipeline, and reads back what every property test asserts: the ledger sums to the bill (exact
DECIMAL) and nothing is negative that is not a credit."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import yaml
from hypothesis import HealthCheck, Phase, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_bill_ingest import write_cur2_delivery  # noqa: E402

from dagster_project.cli import run_pipeline  # noqa: E402
from dagster_project.lib.warehouse import ensure_table  # noqa: E402
from ingest.schemas import RAW_TABLES  # noqa: E402

DAY = date(2026, 10, 2)
# few examples, each a whole pipeline run over many scenarios (UNITCOST_PROPERTY_EXAMPLES for a longer search); the
# first one hypothesis draws is the minimal one (every list at its shortest, every number at its lowest); no example
# database (each run is its own zone)
EXAMPLES = int(os.environ.get("UNITCOST_PROPERTY_EXAMPLES", "2"))
BATCHED = settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.function_scoped_fixture])


def payer(k: int) -> str:
    """Scenario k's own payer account."""
    return f"{k + 1:012d}"


def write_zone(root: Path, bill_rows: list[dict], opencost: dict | None = None, llm_events: list[dict] | None = None,
               allocation: dict | None = None) -> Path:
    """The landing zone and unitcost.yaml of one example: `opencost` maps cluster -> (allocation set, assets map) of
    DAY; `allocation` is the policy (None: the default). Every raw table exists, so a source left out is empty."""
    write_cur2_delivery(root / "landing" / "cur", DAY.strftime("%Y-%m"), "exec-1", [bill_rows], "20261004T010000Z")
    sources = {"cur": {"uri": "landing/cur", "name": "cur"}}
    for cluster, (allocations, assets) in (opencost or {}).items():
        folder = root / "landing" / "opencost" / cluster / DAY.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "allocation.json").write_text(json.dumps({"code": 200, "status": "success", "data": [allocations]}))
        (folder / "assets.json").write_text(json.dumps({"code": 200, "status": "success", "data": assets}))
    if opencost:
        sources["opencost"] = {"uri": "landing/opencost"}
    if llm_events:
        folder = root / "landing" / "llm" / DAY.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in llm_events))
        sources["llm"] = {"uri": "landing/llm"}
    config = {"start_date": "2026-10-01", "currency": "USD", "warehouse": {"path": "warehouse/unitcost.duckdb"},
              "sources": sources}
    if allocation is not None:
        config["allocation"] = allocation
    path = root / "unitcost.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    (root / "warehouse").mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb")) as con:
        for table, schema in RAW_TABLES.items():
            ensure_table(con, table, schema)
    return path


def run_day(config: Path) -> None:
    result = run_pipeline(str(config), DAY, DAY, raise_on_error=False)
    failed = [e.step_key for e in result.all_events if e.is_step_failure]
    assert result.success, f"the run failed at {failed}"


def query(root: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def assert_ledger_is_the_bill(root: Path, total: Decimal) -> None:
    """The day's ledger is `total` to the nano-dollar, and every source of the day reconciles with no difference."""
    assert query(root, "select sum(amount_usd) from marts.cost_ledger") == [(total,)]
    assert query(root, "select sum(ledger_total_usd), sum(effective_cost_usd) from marts.bill_reconciliation_daily"
                 ) == [(total, total)]
    assert query(root, "select source_id, diff_usd from marts.bill_reconciliation_daily where diff_usd <> 0") == []


def assert_negative_only_from_credits(root: Path, credits: Decimal) -> None:
    """No ledger row is negative but the pieces of the `credits` drawn (a negative sum): without credits none is,
    and the negative rows together never exceed the credits (a credit only ever offsets)."""
    (negative,) = query(root, "select coalesce(sum(amount_usd), 0) from marts.cost_ledger where amount_usd < 0")[0]
    if credits == 0:
        assert negative == 0
    assert credits <= negative <= 0, (credits, negative)
