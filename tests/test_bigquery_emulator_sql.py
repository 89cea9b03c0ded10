"""The money macros against the two bqemulator defects that made every money mart read 0 there (README.md, Running
on BigQuery): a statement reading a view loses every CAST's precision and scale, and div(a, b) is run as DuckDB's
`a // b` without parentheses. The macros are rendered by dbt (`dbt compile --inline`) for the emulator's target and
for DuckDB's, and run over a view on both: the same exact values, the ones computed by hand here."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from bigquery_emulator import bigquery_emulator  # noqa: F401 (the session fixture)
from dagster_project.lib.config import BigQueryConfig
from dagster_project.lib.warehouse_bigquery import bigquery_client

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
# 8.7096 USD in nano-dollars; a = 7, d = 2: 2 × div(7, 2) = 6 and div(7 + 5, 2 × 2) = 3 (BigQuery and DuckDB both)
SELECT = ("select {{ nano_to_money('n') }} as money, 2 * {{ int_div_trunc('a', 'd') }} as twice_half, "
          "{{ int_div_trunc('a + 5', '2 * d') }} as grouped from {view}")
EXPECTED = (Decimal("8.709600000"), 6, 3)


def render(tmp_path: Path, target: str, dbt_vars: dict) -> str:
    """The SQL of SELECT as dbt compiles it for `target` (no warehouse is queried)."""
    out = tmp_path / target
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "compile", "--quiet", "--no-populate-cache", "--target", target,
         "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target-path", str(out / "target"),
         "--log-path", str(out / "logs"), "--vars", json.dumps(dbt_vars), "--inline", SELECT],
        cwd=DBT_DIR, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc.stdout.strip()


@pytest.fixture
def emulator_view(bigquery_emulator):  # noqa: F811
    """(client, `dataset.v`): a view over a one-row table (n = 8709600000, a = 7, d = 2) on the emulator."""
    config = BigQueryConfig(project="unitcost-test", dataset_prefix=f"m{uuid.uuid4().hex[:8]}_",
                            api_endpoint=bigquery_emulator)
    client = bigquery_client(config)
    dataset = config.dataset("raw")
    client.create_dataset(dataset)
    client.query_and_wait(f"create table `{dataset}.base` as select 8709600000 as n, 7 as a, 2 as d")
    client.query_and_wait(f"create view `{dataset}.v` as select n, a, d from `{dataset}.base`")
    return client, f"`{dataset}.v`", bigquery_emulator


def test_the_emulator_still_drops_a_casts_scale_over_a_view_and_binds_div_like_a_product(emulator_view):
    client, view, _ = emulator_view
    base = view.replace(".v`", ".base`")
    one_nano = "select cast(0.000000001 as decimal(38, 9)) as x from {}"
    assert list(client.query_and_wait(one_nano.format(base)))[0][0] == Decimal("1E-9")
    assert list(client.query_and_wait(one_nano.format(view)))[0][0] == Decimal("0")  # 0.000: DECIMAL(18, 3)
    assert list(client.query_and_wait(one_nano.format(view).replace("cast", "safe_cast")))[0][0] == Decimal("1E-9")
    assert tuple(list(client.query_and_wait("select 2 * div(7, 2), div(1 + 5, 2 * 3)"))[0]) == (7, 7)


def test_the_money_macros_give_the_exact_values_on_the_emulator_and_on_duckdb(emulator_view, tmp_path):
    client, view, endpoint = emulator_view
    on_emulator = render(tmp_path, "bigquery_emulator",
                         {"bq_emulator": True, "bq_project": "unitcost-test", "bq_api_endpoint": endpoint})
    assert tuple(list(client.query_and_wait(on_emulator.replace("{view}", view)))[0]) == EXPECTED
    assert "safe_cast(" in on_emulator and "(div((a), (d)))" in on_emulator

    on_duckdb = render(tmp_path, "duckdb", {"duckdb_path": str(tmp_path / "render.duckdb")})
    assert "safe_cast" not in on_duckdb and "//" in on_duckdb
    with duckdb.connect() as con:
        con.execute("create table base as select 8709600000::bigint as n, 7::bigint as a, 2::bigint as d")
        con.execute("create view v as select n, a, d from base")
        assert con.execute(on_duckdb.replace("{view}", "v")).fetchone() == EXPECTED
