"""Each great-expectations rule of the usage and business raw tables (defs/source_checks/expectations.py) fires on
the rows it is about, and only those; the blocking ones are blocking checks of the daily job."""

from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb
import polars as pl
import pytest

from dagster_project.definitions import build_definitions
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.defs.source_checks.expectations import BLOCKING_RULES, TABLE_RULES
from dagster_project.lib.table_rules import validate_table
from dagster_project.lib.warehouse import replace_rows
from ingest.schemas import LLM_EVENTS, RAW_TABLES, empty

D1 = date(2026, 10, 1)
AT = datetime(2026, 10, 1, 12, tzinfo=timezone.utc)
CALL = {"event_id": "e1", "event_at": AT, "usage_date": D1, "input_tokens": 10, "output_tokens": 5,
        "reasoning_output_tokens": 2, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0, "calls": 1,
        "tenant_id": "acme", "source_file": "llm/2026-10-01/a.jsonl"}
SAMPLE = {"sample_at": AT, "usage_date": D1, "tenant_id": "acme", "feature_id": "chat", "requests": 3.0,
          "source_file": "requests/2026-10-01.json"}
TENANT = {"tenant_id": "acme", "tenant_name": "Acme", "plan": "pro", "source_file": "business/tenants.csv"}
REVENUE = {"usage_month": D1, "tenant_id": "acme", "mrr_usd": 100, "source_file": "business/revenue.csv"}
GOOD = {"llm_events": [CALL, {**CALL, "event_id": "e2"}], "request_counts": [SAMPLE], "tenants": [TENANT],
        "revenue": [REVENUE]}

CASES = [
    ("llm_events", [CALL, {**CALL, "event_id": "e2", "input_tokens": -5}], "tokens_not_negative"),
    ("llm_events", [CALL, CALL, {**CALL, "event_id": "e2"}], "event_ids_unique"),
    ("llm_events", [CALL, {**CALL, "event_id": "e2", "reasoning_output_tokens": 9}], "reasoning_within_output"),
    ("request_counts", [SAMPLE, {**SAMPLE, "requests": -1.0}], "requests_finite_not_negative"),
    ("request_counts", [SAMPLE, {**SAMPLE, "requests": float("nan")}], "requests_finite_not_negative"),
    ("request_counts", [{**SAMPLE, "tenant_id": None, "feature_id": None}], "requests_have_an_owner"),
    ("tenants", [TENANT, {**TENANT, "plan": "starter"}, {**TENANT, "tenant_id": "globex"}], "tenant_ids_unique"),
    ("tenants", [TENANT, {**TENANT, "tenant_id": "globex", "plan": None}], "plan_present"),
    ("revenue", [REVENUE, {**REVENUE, "tenant_id": "globex", "mrr_usd": -1}], "mrr_not_negative"),
]


def _validate(tmp_path, table: str, rows: list[dict]) -> dict:
    schema = LLM_EVENTS if table == "llm_events" else RAW_TABLES[table]
    frame = pl.concat([empty(schema), pl.DataFrame(rows).cast({k: schema[k] for k in rows[0]})], how="diagonal")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        replace_rows(con, table, schema, {}, frame)
        return validate_table(con, TABLE_RULES[table], [D1])


@pytest.mark.parametrize(("table", "rows", "rule"), CASES, ids=[f"{t}-{r}-{i}" for i, (t, _, r) in enumerate(CASES)])
def test_each_rule_fires_on_its_rows_only(tmp_path, table, rows, rule):
    outcomes = _validate(tmp_path, table, rows)
    assert {r for r, o in outcomes.items() if not o.passed} == {rule}
    # the offending rows only: both copies of a repeated id, else the one bad row
    assert outcomes[rule].failures[0]["failed"][0]["unexpected_count"] == (2 if rule.endswith("_unique") else 1)


@pytest.mark.parametrize("table", list(GOOD))
def test_good_rows_pass_every_rule(tmp_path, table):
    assert all(o.passed and o.rows == len(GOOD[table]) for o in _validate(tmp_path, table, GOOD[table]).values())


def test_the_rules_that_guard_a_number_block_the_run(tmp_path):
    defs = build_definitions(UnitcostConfigResource(path=""))
    specs = {(tuple(s.asset_key.path), s.name): s.blocking for c in defs.asset_checks
             for s in c.check_specs if c.node_def.name == "source_expectations"}
    assert specs == {(("raw", t), r): r in BLOCKING_RULES for t, spec in TABLE_RULES.items() for r in spec.rules}
    assert sum(specs.values()) == 5
