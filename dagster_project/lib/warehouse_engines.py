"""The warehouse engine a config names (warehouse.engine), in one place: which dbt target builds the models, where the
raw rows the models read live, what the publish step does and how the Python checks read the marts.

DuckDB (the default): everything is the pipeline's one DuckDB file; nothing is copied, and the serving step writes
the serving file (defs/serving). This is the behaviour unitcost always had.

BigQuery: the raw assets, their great-expectations checks and the run bookkeeping (bill deliveries, touched days,
quarantine) still run against the pipeline's local DuckDB file, which is the run's control store. Before
`dbt build`, every raw partition the run's window covers is pushed from it into `<prefix>raw` on BigQuery, each
replacement one MERGE (lib/warehouse_bigquery.py): a day's rows replace that day, a bill's rows replace their
(source, account, period) unit, the small reference tables replace the whole table. dbt builds with target
`bigquery` into `<prefix>staging`, `<prefix>intermediate` and `<prefix>marts_build`; once the blocking checks
passed, the serving step copies every table of `marts_build` over `<prefix>marts` with copy jobs (README.md,
Running on BigQuery)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from dagster_project.lib import warehouse_session
from dagster_project.lib.config import BigQueryConfig, UnitcostConfig
from dagster_project.lib.warehouse import RAW_SCHEMA
from dagster_project.lib.run_steps import count_bytes
from dagster_project.lib.warehouse_bigquery import BigQueryRawWriter, JobCost, bigquery_client

DAY_COLUMN = "usage_date"
# replaced per (source, account, period) unit, as the bill loader replaces them (lib/bill_deliveries.py)
BILL_TABLES = ("cur_line_items", "focus_line_items")
UNIT_COLUMNS = ("source_id", "billing_account_id", "billing_period")
CLUSTER_BY = {"tenant_id": "tenant_id", "source_id": "source_id", "cluster": "cluster", "provider": "provider"}


def _cluster_columns(columns: list[str]) -> tuple[str, ...]:
    """The columns a day-partitioned raw table is clustered by: the source and tenant keys it has (at most 4)."""
    return tuple(c for c in CLUSTER_BY if c in columns)[:4]


@dataclass
class DuckDBEngine:
    """warehouse.engine: duckdb - today's pipeline, unchanged."""

    config: UnitcostConfig
    name: str = "duckdb"
    dbt_target: str = "duckdb"

    def push_raw(self, start: date, end: date, run_id: str) -> list[JobCost]:
        return []  # dbt reads the pipeline's own file

    def built_days(self) -> tuple[date | None, date | None] | None:
        return None  # the run window reads them from the DuckDB file itself (defs/dbt/run_window.py)


@dataclass
class BigQueryEngine:
    """warehouse.engine: bigquery (module docstring)."""

    config: UnitcostConfig
    client: Any = None  # google.cloud.bigquery.Client; made on first use
    stage_with: str = "load_job"  # "insert_rows_json" only against the tests' BigQuery API on loopback
    jobs: list[JobCost] = field(default_factory=list)
    name: str = "bigquery"
    dbt_target: str = "bigquery"

    @property
    def bq(self) -> BigQueryConfig:
        assert self.config.bigquery is not None
        return self.config.bigquery

    def _client(self):
        if self.client is None:
            self.client = bigquery_client(self.bq)
        return self.client

    def table(self, layer: str, name: str) -> str:
        return f"{self.bq.project}.{self.bq.dataset(layer)}.{name}"

    # ---------------------------------------------------------------------------------------------- raw rows
    def push_raw(self, start: date, end: date, run_id: str) -> list[JobCost]:
        """Replace, in BigQuery raw, every partition of [start, end] (and each bill unit this run loaded or
        validated, and every undated table) with the rows of the pipeline's DuckDB file. Returns the jobs run."""
        writer = BigQueryRawWriter(self._client(), self.bq, stage_with=self.stage_with)
        path = self.config.warehouse_path
        if not path.exists():
            return []
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        with warehouse_session.connect(path, read_only=True) as con:
            tables = _raw_tables(con)
            units = _bill_units(con, run_id) if "bill_deliveries" in tables else []
            for table, columns in tables.items():
                schema = _schema(con, table)
                if DAY_COLUMN in columns:
                    frame = con.execute(f'select * from {RAW_SCHEMA}."{table}" where {DAY_COLUMN} between ? and ?',
                                        [start, end]).pl()
                    writer.replace_days(table, schema, DAY_COLUMN, days, _typed(frame, schema),
                                        _cluster_columns(columns))
                elif table in BILL_TABLES:
                    for unit in units:
                        where = dict(zip(UNIT_COLUMNS, unit))
                        frame = con.execute(
                            f'select * from {RAW_SCHEMA}."{table}" where source_id = ? and billing_account_id is not '
                            "distinct from ? and billing_period = ?", list(unit)).pl()
                        writer.replace_rows(table, schema, where, _typed(frame, schema))
                else:
                    frame = con.execute(f'select * from {RAW_SCHEMA}."{table}"').pl()
                    writer.replace_rows(table, schema, {}, _typed(frame, schema))
        self.jobs += writer.jobs  # their bytes are in the step's tally already (BigQueryRawWriter._record)
        return writer.jobs

    # ---------------------------------------------------------------------------------------------- marts
    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        """Rows of one query job (parameters bound, never formatted into the SQL); its bytes are kept in `jobs`."""
        from google.cloud import bigquery

        job = self._client().query(sql, job_config=bigquery.QueryJobConfig(
            query_parameters=params or [], maximum_bytes_billed=self.bq.maximum_bytes_billed))
        rows = [tuple(r.values()) for r in job.result()]
        self._keep(JobCost(job.job_id, "query", job.total_bytes_processed, job.total_bytes_billed))
        return rows

    def _keep(self, cost: JobCost) -> None:
        self.jobs.append(cost)
        count_bytes(cost.bytes_processed, cost.bytes_billed)

    def _exists(self, layer: str, name: str) -> bool:
        from google.api_core.exceptions import NotFound

        try:
            self._client().get_table(self.table(layer, name))
            return True
        except NotFound:
            return False

    def built_days(self) -> tuple[date | None, date | None]:
        """The first and last day the built ledger holds (marts_build.cost_ledger)."""
        if not self._exists("marts_build", "cost_ledger"):
            return None, None
        return self.query(f"select min(usage_date), max(usage_date) from `{self.table('marts_build', 'cost_ledger')}`")[0]

    def broken_day_sources(self, start: date, end: date, tolerance: Decimal) -> list[tuple]:
        """defs/dbt/checks.py's conservation query, on the built marts."""
        from google.cloud import bigquery

        return self.query(
            "select usage_date, source_id, effective_cost_usd, ledger_total_usd, diff_usd "
            f"from `{self.table('marts_build', 'bill_reconciliation_daily')}` "
            "where usage_date between @start and @end and abs(diff_usd) >= @tolerance order by 1, 2",
            [bigquery.ScalarQueryParameter("start", "DATE", start), bigquery.ScalarQueryParameter("end", "DATE", end),
             bigquery.ScalarQueryParameter("tolerance", "NUMERIC", tolerance)])

    def ledger_total(self, start: date, end: date) -> Decimal:
        from google.cloud import bigquery

        return self.query(
            f"select coalesce(sum(amount_usd), 0) from `{self.table('marts_build', 'cost_ledger')}` "
            "where usage_date between @start and @end",
            [bigquery.ScalarQueryParameter("start", "DATE", start),
             bigquery.ScalarQueryParameter("end", "DATE", end)])[0][0]

    def publish_marts(self, names: list[str]) -> dict[str, int]:
        """Copy each built mart (a table of marts_build) over the readers' marts dataset with one copy job
        (WRITE_TRUNCATE: a reader sees the old table or the new one); a view is materialized as a table by a
        query job, so that no reader's table reads the unchecked build. {mart: rows} of what was published."""
        from google.cloud import bigquery

        client = self._client()
        dataset = bigquery.Dataset(f"{self.bq.project}.{self.bq.dataset('marts')}")
        dataset.location = self.bq.location
        client.create_dataset(dataset, exists_ok=True)
        out = {}
        for name in names:
            source = client.get_table(self.table("marts_build", name))
            target = self.table("marts", name)
            if source.table_type == "VIEW":
                job = client.query(f"create or replace table `{target}` as select * from `{source.reference}`",
                                   job_config=bigquery.QueryJobConfig(
                                       maximum_bytes_billed=self.bq.maximum_bytes_billed))
                job.result()
                self._keep(JobCost(job.job_id, "query", job.total_bytes_processed, job.total_bytes_billed))
            else:
                job = client.copy_table(source, target, job_config=bigquery.CopyJobConfig(
                    write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE))
                job.result()
                self._keep(JobCost(job.job_id, "copy", None, None))  # copy jobs are not billed
            out[name] = self.query(f"select count(*) from `{target}`")[0][0]
        return out


def _raw_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute("select table_name, column_name from information_schema.columns where table_schema = ? "
                       "order by table_name, ordinal_position", [RAW_SCHEMA]).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def _schema(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, pl.DataType]:
    return dict(con.execute(f'select * from {RAW_SCHEMA}."{table}" limit 0').pl().schema)


def _typed(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty result keeps the table's column types (polars gives Null columns otherwise)."""
    return frame if frame.height else pl.DataFrame(schema=schema)


def _bill_units(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    """(source, account, period) of every bill unit this run loaded or validated: the bill's replacement units."""
    return con.execute(
        f"select distinct source_id, billing_account_id, billing_period from {RAW_SCHEMA}.bill_deliveries "
        "where run_id = ? or checked_run_id = ? order by 1, 3, 2", [run_id, run_id]).fetchall()


def dbt_bytes(run_results: Path) -> tuple[int | None, int | None]:
    """(bytes processed, bytes billed) summed over a dbt invocation's run_results.json adapter responses (BigQuery
    reports both per model and test; DuckDB neither: (None, None)); (None, None) when the file is missing."""
    if not run_results.exists():
        return None, None
    processed = billed = None
    for result in json.loads(run_results.read_text()).get("results", []):
        response = result.get("adapter_response") or {}
        if response.get("bytes_processed") is not None:
            processed = (processed or 0) + int(response["bytes_processed"])
        if response.get("bytes_billed") is not None:
            billed = (billed or 0) + int(response["bytes_billed"])
    return processed, billed


def warehouse_engine(config: UnitcostConfig) -> DuckDBEngine | BigQueryEngine:
    """The engine `config` names: the one switch between DuckDB and BigQuery."""
    if config.bigquery is None:
        return DuckDBEngine(config)
    if config.bigquery.emulator:
        # EMULATOR ONLY (warehouse.emulator): the bqemulator takes no load jobs, so rows are staged by streaming
        # inserts; dbt uses the profile's bigquery_emulator target (a placeholder token instead of Google credentials)
        return BigQueryEngine(config, stage_with="insert_rows_json", dbt_target="bigquery_emulator")
    return BigQueryEngine(config)
