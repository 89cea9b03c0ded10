"""A generated zone (2 days, 5 tenants) through the whole pipeline twice on the same landing data: once on DuckDB,
once with `warehouse.engine: bigquery` pointed at the BigQuery API on loopback (`bqemulator`, with the emulator-only
workarounds of `warehouse.emulator: true`; README.md, Running on BigQuery).

What this proves on the emulator: every asset of the daily job materializes on BigQuery (the raw push, every dbt
model, seed and data test of `dbt build --target bigquery_emulator`, the conservation check on marts_build, the copy
to marts), every mart the DuckDB run builds is published to `<prefix>marts`, and each has the same rows per usage
day and, per day, the same sum of every DECIMAL column, to the nano-dollar, as on DuckDB (README.md lists what the
emulator cannot show about BigQuery itself)."""

from __future__ import annotations

import shutil
import pytest

from bigquery_emulator import bigquery_emulator  # noqa: F401 (the session fixture)
from bigquery_marts_compare import bigquery_summary, duckdb_marts, duckdb_summary
from dagster_project.cli import main, run_pipeline
from dagster_project.lib.config import load_config
from dagster_project.lib.warehouse_bigquery import bigquery_client

START, END = "2026-10-01", "2026-10-02"
# marts the 2-day zone leaves empty on DuckDB (compared all the same): an anomaly needs a built trailing week, the
# waterfall a previous month with a built day
EMPTY_IN_A_TWO_DAY_ZONE = {"cost_anomalies", "margin_waterfall_monthly"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, bigquery_emulator):  # noqa: F811
    from datetime import date

    root = tmp_path_factory.mktemp("bqdemo")
    zone = root / "duckdb"
    assert main(["generate", "--out", str(zone), "--days", "2", "--tenants", "5"]) == 0
    shutil.copytree(zone, root / "bigquery")
    bq_config = root / "bigquery" / "unitcost.yaml"
    bq_config.write_text(bq_config.read_text().replace(
        "  engine: duckdb\n",
        f"  engine: bigquery\n  project: unitcost-test\n  dataset_prefix: demo_\n"
        f"  api_endpoint: '{bigquery_emulator}'\n  emulator: true\n"))
    results = {}
    for name in ("duckdb", "bigquery"):
        results[name] = run_pipeline(str(root / name / "unitcost.yaml"), date.fromisoformat(START),
                                     date.fromisoformat(END), raise_on_error=False)
    return root, results


def test_every_asset_of_the_daily_job_materializes_on_bigquery(runs):
    root, results = runs
    assert results["duckdb"].success
    result = results["bigquery"]
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success and not failed, failed
    done = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    assert {"unitcost_dbt_models", "serving__marts_copy", "marts__cost_ledger_ledger_conserves_truth"} <= done


def test_every_duckdb_mart_is_published_in_the_readers_marts_dataset(runs):
    root, _ = runs
    config = load_config(root / "bigquery" / "unitcost.yaml")
    client = bigquery_client(config.bigquery)
    published = {t.table_id for t in client.list_tables(f"unitcost-test.{config.bigquery.dataset('marts')}")}
    marts = duckdb_marts(load_config(root / "duckdb" / "unitcost.yaml").warehouse_path)
    assert set(marts) <= published and "pipeline_runs" in published


def test_every_mart_has_the_duckdb_runs_rows_and_money_per_day_to_the_nano_dollar(runs):
    root, _ = runs
    duck = load_config(root / "duckdb" / "unitcost.yaml")
    config = load_config(root / "bigquery" / "unitcost.yaml")
    marts = duckdb_marts(duck.warehouse_path)
    on_duckdb = duckdb_summary(duck.warehouse_path, marts)
    on_emulator = bigquery_summary(bigquery_client(config.bigquery),
                                   f"unitcost-test.{config.bigquery.dataset('marts')}", marts)
    differ = {name: {"duckdb": on_duckdb[name], "emulator": on_emulator[name]}
              for name in marts if on_emulator[name] != on_duckdb[name]}
    assert not differ, differ
    # what is compared is not vacuous: the bill reaches the ledger (Σ ledger = Σ effective cost per day, > 0), every
    # mart but the two this zone cannot fill has rows, and every one of them with a DECIMAL column has money in it
    ledger = {day: sums[1] for day, sums in on_duckdb["cost_ledger"].items()}
    bill = {day: sums[3] for day, sums in on_duckdb["bill_reconciliation_daily"].items()}
    assert ledger == bill and len(ledger) == 2 and all(v > 0 for v in ledger.values())
    assert {name for name, days in on_duckdb.items() if not days} == EMPTY_IN_A_TWO_DAY_ZONE
    no_money = {name for name, (_, money) in marts.items() if money and name not in EMPTY_IN_A_TWO_DAY_ZONE
                and not any(v for sums in on_duckdb[name].values() for v in sums[1:])}
    assert not no_money, no_money
