"""Inputs that are present but empty, absent for a day, or hostile: a zero-row Parquet file in a bill delivery adds
nothing and loses nothing; a tenant tag that reads like SQL is data, stored as written; a day without any
Kubernetes snapshot or OpenCost allocation still publishes, its node cost whole in the ledger as unallocated."""

from __future__ import annotations

import io
import json
import shutil
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from test_bill_ingest import cloud_bill, cur2_parquet, cur2_row, load, put, totals, warehouse, write_cur2_delivery
from zone import D1, D2, D3, assert_conserved, query, small_zone

from dagster_project.cli import run_pipeline

__all__ = ["cloud_bill", "warehouse"]  # the bill loader's fixtures, used here by name

HOSTILE = "t1'); drop table raw.cur_line_items; --\"\\"


def _zero_rows_like(row: dict) -> bytes:
    """A valid Parquet file with the columns of `row` and no rows (what an export writes for an empty slice)."""
    table = pq.read_table(io.BytesIO(cur2_parquet([row]))).slice(0, 0)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_a_zero_row_parquet_file_in_a_delivery_adds_nothing(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    keys = write_cur2_delivery(root, "2026-10", "e1", [[cur2_row("1.50")], [cur2_row("2.25")]], "20261004T0Z")
    put(root, keys[1], _zero_rows_like(cur2_row("2.25")))  # the manifest's second file, emptied
    assert load(cloud_bill, warehouse, root)[0]["row_count"] == 1
    assert totals(warehouse) == (1, Decimal("1.50"))


def test_a_tenant_tag_that_reads_like_sql_is_stored_as_written(cloud_bill, warehouse, tmp_path):
    root = tmp_path / "export"
    write_cur2_delivery(root, "2026-10", "e1", [[cur2_row("1.50", resource_tags=[("user_tenant", HOSTILE)])]],
                        "20261004T0Z")
    load(cloud_bill, warehouse, root)
    assert totals(warehouse) == (1, Decimal("1.50"))  # the table is still there, with its row
    (tags,) = warehouse.execute("select resource_tags from raw.cur_line_items").fetchone()
    assert json.loads(tags) == {"user_tenant": HOSTILE}


@pytest.mark.slow
def test_a_day_without_kubernetes_data_publishes_its_node_cost_as_unallocated(tmp_path):
    config = small_zone(tmp_path / "zone", days=3)
    landing = config.parent / "landing"
    gone = [*landing.glob(f"kubernetes/*/{D2}T*"), *landing.glob(f"opencost/*/{D2}")]
    assert gone, "the generated zone has Kubernetes data for the day"
    for path in gone:
        shutil.rmtree(path)
    result = run_pipeline(str(config), D1, D3, raise_on_error=False)
    assert result.success
    assert_conserved(config)  # D2 included

    def compute(day, source, cost_type=None):
        return query(config, "select coalesce(sum(amount_usd), 0) from marts.cost_ledger where usage_date = ? "
                             "and category = 'compute' and cost_source = ? and (? is null or cost_type = ?)",
                     [day, source, cost_type, cost_type])[0][0]

    assert compute(D2, "kubernetes") == 0 and compute(D1, "kubernetes") > 0 and compute(D3, "kubernetes") > 0
    # the generator bills the same nodes every day: on D2 what D1 split over pods and idle is unallocated whole
    assert compute(D2, "cloud", "unallocated") == compute(D1, "cloud", "unallocated") + compute(D1, "kubernetes")
