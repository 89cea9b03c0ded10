"""Writing raw partitions into BigQuery (warehouse.engine: bigquery; docs/configuration.md, Running on BigQuery).

The same promise as the DuckDB writer (lib/warehouse.py): a day's rows, or the rows matching a key, replace exactly
that partition, never append, and a failure leaves the previous rows in place. BigQuery has no transaction across
a load job and a DML statement, so a replacement is two steps:

1. the new rows go into a staging table of their own (`_stage_<table>_<run>`, dropped afterwards, expiring after a
   day if the process dies first) by a **load job** (Parquet, WRITE_TRUNCATE): a failed or partial load touches
   nothing but the staging table;
2. one MERGE statement swaps them in: it deletes the target's rows of the replaced days (or key) and inserts the
   staged rows. One DML statement is atomic on BigQuery: readers see the old partition or the new one.

Loading the same partition twice leaves one copy (the second MERGE deletes what the first inserted). Raw tables
are partitioned by their day column and clustered by the columns given (the source, the tenant). Every job's bytes
processed and billed are kept in `jobs` for the run's own cost (raw.pipeline_run_steps).

Production stages with load jobs only. Rows sent with streaming inserts (`insert_rows_json`) sit in the streaming
buffer, where DML cannot touch them for up to ~30 minutes; the BigQuery API on loopback the tests run against
supports only streaming inserts, so the tests stage with `stage_with="insert_rows_json"` into the staging table
(which is only read, never changed, afterwards) and exercise everything else as production runs it.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dagster_project.lib.config import BigQueryConfig
from dagster_project.lib.run_steps import count_bytes

STAGE_EXPIRY = dt.timedelta(days=1)


def bigquery_type(dtype: pl.DataType, emulator: bool = False) -> str:
    """The BigQuery column type of a raw contract's polars type. Money and prices keep their exact decimals:
    NUMERIC holds DECIMAL(38, 9); a wider scale (a per-token price) is BIGNUMERIC.

    EMULATOR ONLY (`emulator`, warehouse.emulator): the bqemulator fails to create a BIGNUMERIC column (it maps it
    to a DuckDB DECIMAL wider than 38 digits) and drops digits of a wide decimal it is sent, so such a column is
    stored there as the decimal's exact text; the staging models read it back through the macro `raw_decimal`."""
    if isinstance(dtype, pl.Decimal):
        scale = dtype.scale or 0
        if scale <= 9 and (dtype.precision or 38) - scale <= 29:
            return "NUMERIC"
        return "STRING" if emulator else "BIGNUMERIC"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP" if dtype.time_zone else "DATETIME"
    simple = {pl.String: "STRING", pl.Int64: "INT64", pl.Int32: "INT64", pl.Float64: "FLOAT64",
              pl.Boolean: "BOOL", pl.Date: "DATE"}
    for polars_type, name in simple.items():
        if dtype == polars_type:
            return name
    raise TypeError(f"no BigQuery type for a raw column of type {dtype}")


def _json_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows for a streaming insert: decimals as strings (a JSON number would be a float), days and instants ISO."""
    text = [pl.col(n).cast(pl.String) for n, t in frame.schema.items()
            if isinstance(t, (pl.Decimal, pl.Datetime)) or t == pl.Date]
    return frame.with_columns(text).to_dicts()


@dataclass
class JobCost:
    """What one BigQuery job processed and billed (None where the API reports nothing, e.g. a load job's bill)."""

    job_id: str
    kind: str
    bytes_processed: int | None
    bytes_billed: int | None


@dataclass
class BigQueryRawWriter:
    """replace_days / replace_rows into `<prefix>raw.<table>` of one project, through a google-cloud-bigquery
    client (credentials: the standard Google chain, resolved by the client)."""

    client: Any  # google.cloud.bigquery.Client
    config: BigQueryConfig
    stage_with: str = "load_job"  # or "insert_rows_json": the tests' BigQuery API on loopback (module docstring)
    jobs: list[JobCost] = field(default_factory=list)

    @property
    def dataset(self) -> str:
        return f"{self.config.project}.{self.config.dataset('raw')}"

    def ensure_table(self, table: str, schema: Mapping[str, pl.DataType], day_column: str | None = None,
                     cluster_by: tuple[str, ...] = ()) -> None:
        """Create the raw dataset and table if missing: partitioned by `day_column`, clustered by `cluster_by`."""
        from google.cloud import bigquery

        dataset = bigquery.Dataset(self.dataset)
        dataset.location = self.config.location
        self.client.create_dataset(dataset, exists_ok=True)
        target = bigquery.Table(f"{self.dataset}.{table}", schema=self._schema(schema))
        if day_column:
            target.time_partitioning = bigquery.TimePartitioning(type_="DAY", field=day_column)
        if cluster_by:
            target.clustering_fields = list(cluster_by)
        self.client.create_table(target, exists_ok=True)

    def replace_days(self, table: str, schema: Mapping[str, pl.DataType], day_column: str, days: list,
                     frame: pl.DataFrame, cluster_by: tuple[str, ...] = ()) -> dict[str, int]:
        """Replace each of `days` of raw.<table> with that day's rows of `frame`, all days in one MERGE."""
        from google.cloud import bigquery

        self.ensure_table(table, schema, day_column, cluster_by)
        part = frame.filter(pl.col(day_column).is_in(list(days))).select(list(schema))
        params = [bigquery.ArrayQueryParameter("days", "DATE", [d.isoformat() for d in days])]
        self._replace(table, schema, part, f"target.{day_column} in unnest(@days)", params)
        counts = dict(part.group_by(day_column).len().iter_rows())
        return {str(d): counts.get(d, 0) for d in days}

    def replace_rows(self, table: str, schema: Mapping[str, pl.DataType], where: Mapping[str, Any],
                     frames: list[pl.DataFrame] | pl.DataFrame) -> int:
        """Replace the rows matching `where` (column = value, bound as query parameters; {} = every row) with
        `frames`. Returns the number of rows inserted."""
        from google.cloud import bigquery

        for name in where:
            if name not in schema:
                raise KeyError(f"raw.{table} has no column {name!r}")
        frames = [frames] if isinstance(frames, pl.DataFrame) else frames
        self.ensure_table(table, schema)
        rows = pl.concat([f.select(list(schema)) for f in frames]) if frames else pl.DataFrame(schema=dict(schema))
        params = [bigquery.ScalarQueryParameter(f"w{i}", bigquery_type(schema[name], self.config.emulator),
                                            value)
                  for i, (name, value) in enumerate(where.items())]
        condition = " and ".join(f"target.{name} is not distinct from @w{i}" for i, name in enumerate(where))
        self._replace(table, schema, rows, condition or "true", params)
        return rows.height

    # --------------------------------------------------------------------------------------------------------
    def _schema(self, schema: Mapping[str, pl.DataType]) -> list:
        from google.cloud import bigquery

        return [bigquery.SchemaField(name, bigquery_type(dtype, self.config.emulator))
                for name, dtype in schema.items()]

    def _replace(self, table: str, schema: Mapping[str, pl.DataType], rows: pl.DataFrame, condition: str,
                 params: list) -> None:
        """Stage `rows`, then one MERGE: delete the target rows matching `condition`, insert the staged rows."""
        from google.cloud import bigquery

        stage = f"{self.dataset}._stage_{table}_{uuid.uuid4().hex[:12]}"
        staging = bigquery.Table(stage, schema=self._schema(schema))
        staging.expires = dt.datetime.now(dt.timezone.utc) + STAGE_EXPIRY
        self.client.create_table(staging)
        try:
            self._stage(stage, schema, rows)
            columns = ", ".join(schema)
            merge = (
                f"merge `{self.dataset}.{table}` as target using `{stage}` as stage on false "
                f"when not matched by source and {condition} then delete "
                f"when not matched then insert ({columns}) values ({', '.join('stage.' + c for c in schema)})"
            )
            job = self.client.query(merge, job_config=self._query_config(params))
            job.result()
            self._record(job, "merge")
        finally:
            self.client.delete_table(stage, not_found_ok=True)

    def _stage(self, stage: str, schema: Mapping[str, pl.DataType], rows: pl.DataFrame) -> None:
        from google.cloud import bigquery

        if rows.height == 0:
            return
        if self.stage_with == "insert_rows_json":
            errors = self.client.insert_rows_json(stage, _json_rows(rows))
            if errors:
                raise RuntimeError(f"staging {stage} failed: {errors[:3]}")
            return
        buffer = io.BytesIO()
        rows.write_parquet(buffer)
        buffer.seek(0)
        job = self.client.load_table_from_file(buffer, stage, job_config=bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.PARQUET, write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
            schema=self._schema(schema), decimal_target_types=["NUMERIC", "BIGNUMERIC"],
        ))
        job.result()
        self._record(job, "load")

    def _query_config(self, params: list):
        from google.cloud import bigquery

        return bigquery.QueryJobConfig(query_parameters=params,
                                       maximum_bytes_billed=self.config.maximum_bytes_billed)

    def _record(self, job, kind: str) -> None:
        cost = JobCost(job.job_id, kind, getattr(job, "total_bytes_processed", None),
                       getattr(job, "total_bytes_billed", None))
        self.jobs.append(cost)
        count_bytes(cost.bytes_processed, cost.bytes_billed)


def bigquery_client(config: BigQueryConfig):
    """A google-cloud-bigquery client for the configured project and location. Credentials: the standard Google
    chain (Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata server), never the
    config; an `api_endpoint` on loopback (the tests' BigQuery API) takes none."""
    from google.cloud import bigquery

    options: dict[str, Any] = {"project": config.project, "location": config.location}
    if config.api_endpoint:
        options["client_options"] = {"api_endpoint": config.api_endpoint}
        host = config.api_endpoint.split("://", 1)[-1].split(":", 1)[0].split("/", 1)[0]
        if host in ("127.0.0.1", "localhost", "::1"):
            from google.auth.credentials import AnonymousCredentials

            options["credentials"] = AnonymousCredentials()
    return bigquery.Client(**options)
