"""Problems are said, not only stored (docs/configuration.md, "What a run says"): the run's output counts the rows it
quarantined per source and reason and names the unpriced models; an empty file is called one; a failed bill check
names its file and period."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dagster_project.defs.cloud_bill.expectations import validate_bill_units
from dagster_project.lib.quarantine import quarantine_report
from ingest.errors import LandingFileError
from ingest.kubernetes.opencost import parse_assets
from ingest.request_counts import parse_prometheus_query_range

D1, D2 = date(2026, 10, 1), date(2026, 10, 2)


def test_the_run_output_counts_quarantined_rows_per_source_and_reason_and_names_unpriced_models(tmp_path):
    warehouse = tmp_path / "unitcost.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw; create schema intermediate")
        con.execute("create table raw.llm_events_quarantine (usage_date date, reason varchar)")
        con.execute("insert into raw.llm_events_quarantine values (?, 'duplicate_event_id'), (?, 'negative_tokens'),"
                    " (?, 'late_beyond_lookback'), (?, 'late_beyond_lookback'), ('2026-09-01', 'negative_tokens')",
                    [D1, D1, D1, D2])
        con.execute("create table raw.request_counts_quarantine (usage_date date, reason varchar)")
        con.execute("insert into raw.request_counts_quarantine values (?, 'early_beyond_lookback')", [D2])
        con.execute("create table intermediate.llm_calls_unpriced (provider_name varchar, model_string varchar)")
        con.execute("insert into intermediate.llm_calls_unpriced values ('openai', 'acme-finetune-v7'), "
                    "('openai', 'acme-finetune-v7')")
    assert quarantine_report(warehouse, D1, D2).splitlines() == [
        "quarantine 2026-10-01 .. 2026-10-02: 5 rows set aside (raw.<source>_quarantine)",
        f"  {'llm_events':<16} {'late_beyond_lookback':<28} {2:>8}",
        f"  {'llm_events':<16} {'duplicate_event_id':<28} {1:>8}",
        f"  {'llm_events':<16} {'negative_tokens':<28} {1:>8}",
        f"  {'request_counts':<16} {'early_beyond_lookback':<28} {1:>8}",
        "unpriced models (no price covers them; the run stops until one does): openai/acme-finetune-v7 (2 calls)",
    ]
    assert quarantine_report(warehouse, date(2026, 11, 1), date(2026, 11, 2)).splitlines()[0] == (
        "quarantine 2026-11-01 .. 2026-11-02: no rows set aside")


@pytest.mark.parametrize("data", [b"", b"  \n", b"\xef\xbb\xbf\n"])
def test_an_empty_json_file_is_called_an_empty_file(data):
    with pytest.raises(LandingFileError, match="empty file: expected a JSON document") as excinfo:
        parse_prometheus_query_range(data, "requests/2026-10-01.json")
    assert excinfo.value.path == "requests/2026-10-01.json"
    with pytest.raises(LandingFileError, match="empty file"):
        parse_assets(data, "prod", D1, "prod/2026-10-01/assets.json")


def test_a_failed_bill_check_names_the_file_and_the_period(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from test_bill_ingest import LOG, PAYER, cur2_row, write_cur2_delivery

    from dagster_project.defs.cloud_bill.loading import load_bill_source
    from dagster_project.lib.bill_deliveries import ensure_bill_tables
    from dagster_project.lib.config import SourceConfig

    root = tmp_path / "export"
    # the period's currency is its most common one (USD, 2 rows); the file with the EUR row is the other one
    usd = [cur2_row("1.00"), cur2_row("3.00")]
    keys = write_cur2_delivery(root, "2026-10", "e1", [usd, [cur2_row("2.00", line_item_currency_code="EUR")]],
                               "20261004T000000Z")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_bill_tables(con)
        load_bill_source(con, SourceConfig(kind="cur", uri=str(root), name="cur"), "USD", "run-1", LOG)
        outcome = validate_bill_units(con, "cur_line_items", [("cur", PAYER, "2026-10")])["one_currency_per_period"]
    assert not outcome.passed
    [failure] = outcome.failures
    assert (failure["source_id"], failure["billing_account_id"], failure["billing_period"]) == (
        "cur", PAYER, "2026-10")
    assert failure["files"] == sorted(keys)  # under the source's URI, both files of the period
    assert failure["failed"][0]["examples"] == ["EUR"]
