"""The cloud bill through Dagster: the bill asset reads S3 (moto_server) exactly like a folder, a restated month
rebuilds its ledger days in the real pipeline, and a blocking great-expectations rule stops the run before dbt."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource
from test_bill_ingest import cur2_row, write_cur2_delivery

from dagster_project.cli import run_pipeline
from dagster_project.lib.warehouse import ensure_table
from ingest.schemas import RAW_TABLES

pytestmark = pytest.mark.slow


def write_config(root: Path, cur_entry: str) -> Path:
    config = root / "unitcost.yaml"
    root.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "start_date: 2026-10-01\ncurrency: USD\nwarehouse: {path: warehouse/unitcost.duckdb}\n"
        f"sources:\n  cur: {cur_entry}\n"
    )
    # a company with only a cloud bill: the other sources' raw tables exist, empty
    (root / "warehouse").mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb")) as con:
        for table, schema in RAW_TABLES.items():
            ensure_table(con, table, schema)
    return config


def query(root: Path, sql: str, params=None):
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def materialize_bill(config: Path) -> dg.ExecuteInProcessResult:
    from dagster_project.defs.cloud_bill.assets import cloud_bill_assets
    from dagster_project.defs.cloud_bill.checks import bill_expectation_checks
    from dagster_project.defs.resources import UnitcostConfigResource
    from dagster_project.lib.partitions import daily_partitions

    partitions = daily_partitions(date(2026, 10, 1))
    return dg.materialize(
        [cloud_bill_assets(partitions), bill_expectation_checks(partitions)],
        partition_key="2026-10-02",
        resources={"duckdb": DuckDBResource(database=str(config.parent / "warehouse" / "unitcost.duckdb")),
                   "unitcost": UnitcostConfigResource(path=str(config))},
    )


def test_cur2_from_s3_loads_the_same_raw_rows_as_the_folder(tmp_path, s3_bucket, monkeypatch):
    endpoint, bucket, client = s3_bucket
    export = tmp_path / "export"
    write_cur2_delivery(export, "2026-10", "exec-1", [[cur2_row("1.50")], [cur2_row("2.25", "2026-10-03T00:00:00")]],
                        "20261004T010000Z", unlisted=[cur2_row("9999")])
    write_cur2_delivery(export, "2026-10", "exec-2", [[cur2_row("1.25")], [cur2_row("2.00", "2026-10-03T00:00:00")]],
                        "20261005T010000Z")
    for path in sorted(p for p in export.rglob("*") if p.is_file()):
        client.put_object(Bucket=bucket, Key=f"exports/exp/{path.relative_to(export).as_posix()}",
                          Body=path.read_bytes())
    folder_root, s3_root = tmp_path / "folder", tmp_path / "s3"
    folder_config = write_config(folder_root, f"{{uri: {export}, name: cur}}")
    s3_config = write_config(s3_root, f"{{uri: 's3://{bucket}/exports/exp', endpoint_url: '{endpoint}', name: cur}}")

    assert materialize_bill(folder_config).success
    assert materialize_bill(s3_config).success

    sql = "select * from raw.cur_line_items order by identity_line_item_id"
    from_s3 = query(s3_root, sql)
    assert [r[0] for r in query(s3_root, "select sum(line_item_unblended_cost) from raw.cur_line_items")] == [
        Decimal("3.250000000")]
    assert from_s3 == query(folder_root, sql)
    assert query(s3_root, "select delivery_id, checks_passed from raw.bill_deliveries") == [("exec-2", True)]


def ledger_by_day(root: Path) -> dict[str, Decimal]:
    return {d.isoformat(): a for d, a in query(
        root, "select usage_date, sum(amount_usd) from marts.cost_ledger group by 1 order by 1")}


def test_restated_month_rebuilds_its_ledger_days_in_the_pipeline(tmp_path):
    landing = tmp_path / "landing" / "cur"
    config = write_config(tmp_path, "{uri: landing/cur, name: cur}")
    write_cur2_delivery(landing, "2026-10", "exec-1",
                        [[cur2_row("1.50"), cur2_row("2.25", "2026-10-03T00:00:00")]], "20261004T010000Z")
    assert run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 3), raise_on_error=False).success
    assert ledger_by_day(tmp_path) == {"2026-10-02": Decimal("1.500000000"), "2026-10-03": Decimal("2.250000000")}

    # restated after month end: a credit on Oct 2 and a corrected Oct 3 row; the old execution folder stays
    # beside it and the new folder holds a file no manifest lists
    write_cur2_delivery(landing, "2026-10", "exec-2", [
        [cur2_row("1.50"), cur2_row("-0.40", "2026-10-02T00:00:00", hours=24, line_item_line_item_type="Credit")],
        [cur2_row("2.00", "2026-10-03T00:00:00")],
    ], "20261105T010000Z", unlisted=[cur2_row("9999")])
    # the run is for Oct 3 only; Oct 2 is rebuilt because its billing period was re-ingested
    result = run_pipeline(str(config), date(2026, 10, 3), date(2026, 10, 3), raise_on_error=False)
    assert result.success

    assert query(tmp_path, "select count(*), sum(line_item_unblended_cost) from raw.cur_line_items") == [
        (3, Decimal("3.100000000"))]
    assert ledger_by_day(tmp_path) == {"2026-10-02": Decimal("1.100000000"), "2026-10-03": Decimal("2.000000000")}
    assert query(tmp_path, "select delivery_id, run_id from raw.bill_deliveries") == [("exec-2", result.run_id)]
    assert query(tmp_path, "select usage_date, diff_usd from marts.bill_reconciliation_daily "
                           "where source_id = 'cur' order by 1") == [
        (date(2026, 10, 2), Decimal("0E-9")), (date(2026, 10, 3), Decimal("0E-9"))]
    assert query(tmp_path, "select billed_cost_usd, effective_cost_usd, unexplained_usd "
                           "from marts.bill_reconciliation_period") == [
        (Decimal("3.100000000"), Decimal("3.100000000"), Decimal("0E-9"))]


def test_two_currencies_in_a_period_stop_the_run_before_dbt(tmp_path):
    landing = tmp_path / "landing" / "cur"
    config = write_config(tmp_path, "{uri: landing/cur, name: cur}")
    write_cur2_delivery(landing, "2026-10", "exec-1", [
        [cur2_row("1.50"), cur2_row("2.25", line_item_currency_code="EUR")]], "20261004T010000Z")

    result = run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 2), raise_on_error=False)

    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["bill_expectations"]
    assert "one_currency_per_period" in str(failures[0].event_specific_data.error)
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "cloud_bill" in started and "unitcost_dbt_models" not in started and "marts_copy" not in started
    assert not query(tmp_path, "select * from information_schema.tables where table_schema = 'marts'")
    assert query(tmp_path, "select checks_passed from raw.bill_deliveries") == [(False,)]

    # the next run has nothing new to load, yet the period has not passed: it keeps blocking
    again = run_pipeline(str(config), date(2026, 10, 3), date(2026, 10, 3), raise_on_error=False)
    assert not again.success
    assert "unitcost_dbt_models" not in {e.step_key for e in again.all_events if e.event_type_value == "STEP_START"}


def test_restatement_that_empties_a_day_leaves_no_stale_ledger_rows(tmp_path):
    landing = tmp_path / "landing" / "cur"
    config = write_config(tmp_path, "{uri: landing/cur, name: cur}")
    write_cur2_delivery(landing, "2026-10", "exec-1",
                        [[cur2_row("1.50"), cur2_row("2.25", "2026-10-03T00:00:00")]], "20261004T010000Z")
    assert run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 3), raise_on_error=False).success

    # the restated month no longer has any charge on Oct 2
    write_cur2_delivery(landing, "2026-10", "exec-2", [[cur2_row("2.25", "2026-10-03T00:00:00")]],
                        "20261105T010000Z")
    assert run_pipeline(str(config), date(2026, 10, 3), date(2026, 10, 3), raise_on_error=False).success
    assert ledger_by_day(tmp_path) == {"2026-10-03": Decimal("2.250000000")}


def test_bedrock_bill_rows_are_split_by_the_logged_bedrock_calls_and_add_no_dollars(tmp_path):
    import json

    landing = tmp_path / "landing" / "cur"
    config = write_config(tmp_path, "{uri: landing/cur, name: cur}")
    config.write_text(config.read_text() + "  llm: {uri: landing/llm}\n")
    bedrock = dict(line_item_product_code="AmazonBedrock", line_item_usage_type="USE1-Claude4.5Haiku-input-tokens",
                   line_item_operation="InvokeModel", resource_tags=[])
    write_cur2_delivery(landing, "2026-10", "exec-1", [[cur2_row("3.00", **bedrock)]], "20261004T010000Z")
    calls = tmp_path / "landing" / "llm" / "2026-10-02"
    calls.mkdir(parents=True)
    events = [
        {"event_id": f"b{i}", "timestamp": "2026-10-02T10:00:00Z", "tenant.id": tenant, "feature.id": "chat",
         "gen_ai.provider.name": "aws.bedrock",
         "gen_ai.request.model": "anthropic.claude-haiku-4-5-20251001-v1:0",
         "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 200}
        for i, tenant in enumerate(["t-big", "t-big", "t-small"])
    ]
    (calls / "events.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")

    assert run_pipeline(str(config), date(2026, 10, 2), date(2026, 10, 2), raise_on_error=False).success
    rows = query(tmp_path, "select tenant_id, feature_id, cost_source, category, rule_id, sum(amount_usd) "
                           "from marts.cost_ledger group by all order by 1")
    # two equal calls against one: the bill's $3.00 splits 2 : 1, and the calls add nothing on top
    assert rows == [
        ("t-big", "chat", "cloud", "ai_tokens", "bedrock_calls", Decimal("2.000000000")),
        ("t-small", "chat", "cloud", "ai_tokens", "bedrock_calls", Decimal("1.000000000")),
    ]
    assert query(tmp_path, "select count(*) from marts.cost_ledger where source_id like 'llm:%'") == [(0,)]
