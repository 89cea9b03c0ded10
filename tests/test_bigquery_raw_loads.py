"""Raw loads into BigQuery (lib/warehouse_bigquery.py) against a BigQuery API on loopback: a replaced day leaves one
copy, other days stay, a failed load leaves the previous partition, money keeps its nano-dollars. The emulator takes
no load jobs, so rows are staged with streaming inserts into the staging table; the MERGE that swaps them in, the
partitioned and clustered tables and the query parameters are what production runs (README, Running on BigQuery)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from bigquery_emulator import bigquery_emulator  # noqa: F401 (the session fixture)
from dagster_project.lib.config import BigQueryConfig
from dagster_project.lib.warehouse_bigquery import BigQueryRawWriter, bigquery_client, bigquery_type

SCHEMA = {"usage_date": pl.Date, "source_id": pl.String, "tenant": pl.String, "cost": pl.Decimal(38, 9)}
D1, D2, D3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)


def frame(*rows) -> pl.DataFrame:
    return pl.DataFrame([dict(zip(SCHEMA, r)) for r in rows], schema=SCHEMA)


@pytest.fixture
def writer(bigquery_emulator):  # noqa: F811
    config = BigQueryConfig(project="unitcost-test", dataset_prefix=f"t{uuid.uuid4().hex[:8]}_",
                            api_endpoint=bigquery_emulator)
    return BigQueryRawWriter(bigquery_client(config), config, stage_with="insert_rows_json")


def rows(writer, table="costs") -> list[tuple]:
    return sorted(tuple(r.values()) for r in writer.client.query_and_wait(
        f"select usage_date, source_id, tenant, cost from `{writer.dataset}.{table}`"))


def test_loading_a_day_twice_leaves_one_copy_and_the_other_days(writer):
    first = frame((D1, "cur", "acme", Decimal("1.000000001")), (D2, "cur", "acme", Decimal("2")),
                  (D3, "cur", "beta", Decimal("3")))
    assert writer.replace_days("costs", SCHEMA, "usage_date", [D1, D2, D3], first, ("source_id", "tenant")) == {
        "2026-01-01": 1, "2026-01-02": 1, "2026-01-03": 1}
    again = frame((D2, "cur", "acme", Decimal("5.5")), (D2, "cur", "beta", Decimal("0.000000001")),
                  (D1, "cur", "ignored: not a replaced day", Decimal("9")))
    assert writer.replace_days("costs", SCHEMA, "usage_date", [D2], again) == {"2026-01-02": 2}
    writer.replace_days("costs", SCHEMA, "usage_date", [D2], again)
    assert rows(writer) == [
        (D1, "cur", "acme", Decimal("1.000000001")),
        (D2, "cur", "acme", Decimal("5.500000000")), (D2, "cur", "beta", Decimal("0.000000001")),
        (D3, "cur", "beta", Decimal("3.000000000")),
    ]
    table = writer.client.get_table(f"{writer.dataset}.costs")
    assert table.time_partitioning.field == "usage_date" and table.clustering_fields == ["source_id", "tenant"]
    # no staging table is left behind, and every swap was one MERGE job
    assert [t.table_id for t in writer.client.list_tables(writer.dataset)] == ["costs"]
    assert [j.kind for j in writer.jobs] == ["merge"] * 3


def test_a_day_whose_rows_disappeared_is_emptied(writer):
    writer.replace_days("costs", SCHEMA, "usage_date", [D1, D2], frame((D1, "cur", "a", 1), (D2, "cur", "a", 2)))
    writer.replace_days("costs", SCHEMA, "usage_date", [D1], frame())
    assert rows(writer) == [(D2, "cur", "a", Decimal("2.000000000"))]


def test_a_failed_load_leaves_the_previous_partition(writer, monkeypatch):
    writer.replace_days("costs", SCHEMA, "usage_date", [D1], frame((D1, "cur", "acme", Decimal("1.25"))))
    stream = writer.client.insert_rows_json

    def dies_midway(table, json_rows):  # the connection drops after the first row reached the staging table
        stream(table, json_rows[:1])
        raise ConnectionError("connection reset while loading")

    monkeypatch.setattr(writer.client, "insert_rows_json", dies_midway)
    with pytest.raises(ConnectionError):
        writer.replace_days("costs", SCHEMA, "usage_date", [D1],
                            frame((D1, "cur", "acme", Decimal("7")), (D1, "cur", "beta", Decimal("8"))))
    assert rows(writer) == [(D1, "cur", "acme", Decimal("1.250000000"))]
    assert [t.table_id for t in writer.client.list_tables(writer.dataset)] == ["costs"]


def test_rows_of_a_key_are_replaced_and_values_are_parameters(writer):
    writer.replace_rows("costs", SCHEMA, {}, frame((D1, "cur", "a", 1), (D1, "focus", "b", 2)))
    tricky = "x' or true --"
    writer.replace_rows("costs", SCHEMA, {"source_id": tricky}, frame((D2, tricky, "c", 3)))
    assert writer.replace_rows("costs", SCHEMA, {"source_id": "focus"}, [frame((D3, "focus", "d", 4))]) == 1
    assert rows(writer) == [(D1, "cur", "a", Decimal("1.000000000")), (D2, tricky, "c", Decimal("3.000000000")),
                            (D3, "focus", "d", Decimal("4.000000000"))]
    with pytest.raises(KeyError, match="no column 'nope'"):
        writer.replace_rows("costs", SCHEMA, {"nope": 1}, frame())


def test_raw_column_types_keep_money_exact():
    assert bigquery_type(pl.Decimal(38, 9)) == "NUMERIC"
    assert bigquery_type(pl.Decimal(38, 12)) == "BIGNUMERIC"
    assert bigquery_type(pl.Datetime("us", "UTC")) == "TIMESTAMP"
    assert bigquery_type(pl.Float64) == "FLOAT64"
