"""warehouse.engine: bigquery against a BigQuery API on loopback (lib/warehouse_engines.py): the raw rows of the
run's window go from the pipeline's DuckDB file to BigQuery raw partition by partition (days, bill units, whole
small tables), pushing twice leaves one copy, a failed push leaves the previous rows; the conservation check reads
marts_build with bound parameters; the serving step copies marts_build over marts. The emulator takes no load jobs:
rows are staged with streaming inserts into the staging tables (README.md, Running on BigQuery)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from bigquery_emulator import bigquery_emulator  # noqa: F401 (the session fixture)
from dagster_project.lib.config import load_config
from dagster_project.lib.warehouse_bigquery import BigQueryRawWriter
from dagster_project.lib.warehouse_engines import BigQueryEngine, dbt_bytes

D1, D2, D3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)


@pytest.fixture
def engine(tmp_path, bigquery_emulator):  # noqa: F811
    prefix = f"e{uuid.uuid4().hex[:8]}_"
    path = tmp_path / "unitcost.yaml"
    path.write_text(f"start_date: 2026-01-01\nwarehouse: {{engine: bigquery, project: unitcost-test, "
                    f"dataset_prefix: {prefix}, api_endpoint: '{bigquery_emulator}', path: control.duckdb}}\n")
    config = load_config(path)
    with duckdb.connect(str(config.warehouse_path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.llm_events (usage_date date, source_id varchar, tenant_id varchar, "
                    "cost decimal(38, 9))")
        con.execute("insert into raw.llm_events values ('2026-01-01', 'llm', 'acme', 1.000000001), "
                    "('2026-01-02', 'llm', 'acme', 2), ('2026-01-03', 'llm', 'beta', 3)")
        con.execute("create table raw.cur_line_items (source_id varchar, billing_account_id varchar, "
                    "billing_period varchar, cost decimal(38, 9))")
        con.execute("insert into raw.cur_line_items values ('cur', '111', '2026-01', 10), ('cur', '111', '2026-01', 0.5)")
        con.execute("create table raw.bill_deliveries (source_id varchar, billing_account_id varchar, "
                    "billing_period varchar, run_id varchar, checked_run_id varchar)")
        con.execute("insert into raw.bill_deliveries values ('cur', '111', '2026-01', 'r1', 'r1')")
        con.execute("create table raw.tenants (tenant_id varchar, plan varchar)")
        con.execute("insert into raw.tenants values ('acme', 'pro'), ('beta', 'free')")
    return BigQueryEngine(config, stage_with="insert_rows_json")


def rows(engine: BigQueryEngine, table: str, columns: str) -> list[tuple]:
    return sorted(engine.query(f"select {columns} from `{engine.table('raw', table)}`"))


def control(engine: BigQueryEngine, *statements: str) -> None:
    with duckdb.connect(str(engine.config.warehouse_path)) as con:
        for sql in statements:
            con.execute(sql)


def test_the_runs_partitions_reach_bigquery_raw_once(engine):
    engine.push_raw(D1, D2, "r1")
    assert rows(engine, "llm_events", "usage_date, tenant_id, cost") == [
        (D1, "acme", Decimal("1.000000001")), (D2, "acme", Decimal("2"))]  # 01-03 is outside the window
    assert rows(engine, "cur_line_items", "billing_period, cost") == [("2026-01", Decimal("0.5")),
                                                                      ("2026-01", Decimal("10"))]
    assert rows(engine, "tenants", "tenant_id, plan") == [("acme", "pro"), ("beta", "free")]
    table = engine.client.get_table(engine.table("raw", "llm_events"))
    assert table.time_partitioning.field == "usage_date" and table.clustering_fields == ["tenant_id", "source_id"]

    # the next run: 01-02 restated, 01-03 arrives, a new bill period loaded; January's unit is not this run's
    control(engine, "update raw.llm_events set cost = 7 where usage_date = '2026-01-02'",
            "insert into raw.cur_line_items values ('cur', '111', '2026-02', 4), ('cur', '111', '2026-01', 99)",
            "insert into raw.bill_deliveries values ('cur', '111', '2026-02', 'r2', 'r2')",
            "update raw.tenants set plan = 'team' where tenant_id = 'beta'")
    for _ in range(2):  # pushing the same window twice leaves one copy
        engine.push_raw(D2, D3, "r2")
    assert rows(engine, "llm_events", "usage_date, tenant_id, cost") == [
        (D1, "acme", Decimal("1.000000001")), (D2, "acme", Decimal("7")), (D3, "beta", Decimal("3"))]
    # 2026-02 replaced as a unit; 2026-01 (neither loaded nor validated by r2) keeps what its own run pushed
    assert rows(engine, "cur_line_items", "billing_period, cost") == [
        ("2026-01", Decimal("0.5")), ("2026-01", Decimal("10")), ("2026-02", Decimal("4"))]
    assert rows(engine, "tenants", "tenant_id, plan") == [("acme", "pro"), ("beta", "team")]
    # no staging table is left behind
    assert sorted(t.table_id for t in engine.client.list_tables(engine.bq.dataset("raw"))) == [
        "bill_deliveries", "cur_line_items", "llm_events", "tenants"]


def test_a_failed_push_leaves_the_previous_partition(engine, monkeypatch):
    engine.push_raw(D1, D2, "r1")
    control(engine, "update raw.llm_events set cost = 5")

    def broken_stage(self, stage, schema, frame):
        raise RuntimeError("load job failed")

    monkeypatch.setattr(BigQueryRawWriter, "_stage", broken_stage)
    with pytest.raises(RuntimeError, match="load job failed"):
        engine.push_raw(D1, D2, "r1")
    assert rows(engine, "llm_events", "usage_date, cost") == [(D1, Decimal("1.000000001")), (D2, Decimal("2"))]


def _build_mart(engine: BigQueryEngine, name: str, columns: str, *values: tuple) -> None:
    """A built mart in marts_build (columns "name type, ..."), rows sent as strings (exact decimals)."""
    from google.cloud import bigquery

    dataset = bigquery.Dataset(f"{engine.bq.project}.{engine.bq.dataset('marts_build')}")
    engine.client.create_dataset(dataset, exists_ok=True)
    fields = [c.split() for c in columns.split(", ")]
    table = engine.table("marts_build", name)
    engine.client.delete_table(table, not_found_ok=True)
    engine.client.create_table(bigquery.Table(table, schema=[bigquery.SchemaField(n, t.upper()) for n, t in fields]))
    assert not engine.client.insert_rows_json(table, [{n: str(v) for (n, _), v in zip(fields, row)} for row in values])


def test_the_serving_step_copies_the_built_marts_over_the_readers_marts(engine):
    engine.push_raw(D1, D1, "r1")  # creates the client
    _build_mart(engine, "cost_ledger", "usage_date date, amount_usd numeric", (D1, "1.000000001"), (D2, "2"))
    assert engine.publish_marts(["cost_ledger"]) == {"cost_ledger": 2}
    _build_mart(engine, "cost_ledger", "usage_date date, amount_usd numeric", (D2, "3.000000001"))
    assert engine.publish_marts(["cost_ledger"]) == {"cost_ledger": 1}
    assert engine.query(f"select usage_date, amount_usd from `{engine.table('marts', 'cost_ledger')}`") == [
        (D2, Decimal("3.000000001"))]
    assert [j.kind for j in engine.jobs if j.kind == "copy"] == ["copy", "copy"]


def test_the_conservation_check_reads_the_built_marts_with_parameters(engine):
    engine.push_raw(D1, D1, "r1")
    _build_mart(engine, "bill_reconciliation_daily",
                "usage_date date, source_id string, effective_cost_usd numeric, ledger_total_usd numeric, "
                "diff_usd numeric",
                (D1, "cur", "10", "10", "0"), (D2, "cur", "10", "9.999999", "-0.000001"),
                (D2, "x' or true --", "1", "1", "0.000000999"), (date(2026, 1, 5), "cur", "1", "2", "1"))
    _build_mart(engine, "cost_ledger", "usage_date date, amount_usd numeric",
                (D1, "10"), (D2, "9.999999"), (date(2026, 1, 5), "2"))
    broken = engine.broken_day_sources(D1, D3, Decimal("0.000001"))
    assert broken == [(D2, "cur", Decimal("10"), Decimal("9.999999"), Decimal("-0.000001"))]
    assert engine.ledger_total(D1, D3) == Decimal("19.999999")
    assert engine.built_days() == (D1, date(2026, 1, 5))


def test_dbt_bytes_sum_the_adapter_responses(tmp_path):
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps({"results": [
        {"adapter_response": {"bytes_processed": 100, "bytes_billed": 10485760}},
        {"adapter_response": {"bytes_processed": 5, "bytes_billed": 0}},
        {"adapter_response": {"_message": "OK"}},  # DuckDB reports neither
    ]}))
    assert dbt_bytes(path) == (105, 10485760)
    path.write_text(json.dumps({"results": [{"adapter_response": {"_message": "OK"}}]}))
    assert dbt_bytes(path) == (None, None)
    assert dbt_bytes(tmp_path / "missing.json") == (None, None)
