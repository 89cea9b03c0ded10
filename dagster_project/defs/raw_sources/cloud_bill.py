"""The cloud bill → raw.cur_line_items (AWS CUR 2.0 / CUR 1) and raw.focus_line_items (FOCUS, any provider).

A bill delivery is a full snapshot of its billing period, restated for weeks after month end, so every run looks at
the current delivery of EVERY billing period in each source (not only the periods of the run's days) and re-ingests
each (source, billing account, billing period) whose delivery changed since it was loaded: a different manifest
executionId / assemblyId, or different files (S3 ETags, file sizes and times). raw.bill_deliveries remembers what is
loaded, by which run, and which days its old and new rows touch; the dbt asset rebuilds those days.

A period is replaced in one transaction, streamed file by file (a 5 M-line month is never one DataFrame): delete
the unit's rows, insert each file's rows, check the currency, record the delivery, commit. Any failure (a truncated
gzip, a file the manifest lists but the bucket lacks, a missing required column, a bill in another currency) rolls
back, so readers keep the previous delivery, and fails the asset with the file and the problem named.
"""


import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import dagster as dg
import duckdb as duckdb_lib
import polars as pl
import pyarrow as pa
from dagster_duckdb import DuckDBResource

from dagster_project.lib.config import SourceConfig
from dagster_project.lib.project import daily_partitions, project_config
from dagster_project.lib.raw import RAW_ASSET_KW, materialized, open_landing, raw_specs
from dagster_project.lib.warehouse import RAW_SCHEMA, ensure_table
from ingest.cloud_bill import cur, cur1, cur2, focus
from ingest.cloud_bill.deliveries import Delivery, delivery_fingerprint, find_cur1_deliveries, find_cur2_deliveries
from ingest.cloud_bill.files import file_fingerprints
from ingest.errors import LandingFileError
from ingest.landing import Landing
from ingest.schemas import CUR_LINE_ITEMS, FOCUS_LINE_ITEMS

BILL_DELIVERIES: dict[str, pl.DataType] = {
    "source_id": pl.String,
    "billing_account_id": pl.String,
    "billing_period": pl.String,
    "bill_format": pl.String,  # cur2 | cur1 | focus
    "delivery_id": pl.String,  # executionId / assemblyId / content hash / FOCUS file-set fingerprint
    "fingerprint": pl.String,  # changes whenever the delivery's manifest or any of its files changes
    "manifest": pl.String,  # manifest or bare-file key; FOCUS folders: {"files": {key: file fingerprint}}
    "row_count": pl.Int64,
    "first_usage_date": pl.Date,  # the UTC days the replaced and the new rows touch (and the period's own days):
    "last_usage_date": pl.Date,  # the ledger days a re-ingest must rebuild
    "run_id": pl.String,  # the Dagster run that loaded this delivery
    "loaded_at": pl.Datetime("us", "UTC"),
    "checks_passed": pl.Boolean,  # the blocking bill checks: null = not validated yet
    "checked_run_id": pl.String,  # the run whose checks last validated it
}
_ROW_GROUP = 122_880  # DuckDB's row group size
FLUSH_ROWS = 4 * _ROW_GROUP  # rows per INSERT: large enough for DuckDB to write it out, small enough to stream
_DUCKDB_TYPES = {pl.String: "VARCHAR", pl.Int64: "BIGINT", pl.Date: "DATE", pl.Boolean: "BOOLEAN"}


@dataclass(frozen=True)
class BillTable:
    """Where one bill format lands, and the columns the loader needs from it."""

    name: str
    schema: dict[str, pl.DataType]
    currency: str
    start: str
    end: str


CUR_TABLE = BillTable("cur_line_items", CUR_LINE_ITEMS, "line_item_currency_code",
                      "line_item_usage_start_date", "line_item_usage_end_date")
FOCUS_TABLE = BillTable("focus_line_items", FOCUS_LINE_ITEMS, "billing_currency",
                        "charge_period_start", "charge_period_end")
BILL_TABLES = (CUR_TABLE, FOCUS_TABLE)


# ------------------------------------------------------------------------------------------------------------
# One transaction replacing (source, account, period) units
# ------------------------------------------------------------------------------------------------------------
@dataclass
class _Unit:
    rows: int = 0
    currencies: set = field(default_factory=set)
    first: date | None = None
    last: date | None = None

    def touch(self, first: date | None, last: date | None) -> None:
        if first is not None:
            self.first = first if self.first is None else min(self.first, first)
        if last is not None:
            self.last = last if self.last is None else max(self.last, last)


class PeriodReplacement:
    """Delete-then-insert of whole (source, billing account, billing period) units of one raw bill table, in one
    transaction: ``clear`` a unit (remembering the days its old rows touched), ``insert`` frames file by file
    (a unit not cleared yet is cleared on its first row), then ``commit`` with the delivery records."""

    def __init__(self, con, table: BillTable, source_id: str, currency: str, where: str) -> None:
        self.con, self.table, self.source_id, self.currency, self.where = con, table, source_id, currency, where
        self.units: dict[tuple[str | None, str], _Unit] = {}
        self.rows = 0
        self._pending: list[tuple[pl.DataFrame, str]] = []
        self._pending_rows = 0
        con.execute("begin transaction")

    def clear(self, account: str | None, period: str) -> None:
        if (account, period) in self.units:
            return
        t = self.table
        params = [self.source_id, account, period]
        clause = "source_id = ? and billing_account_id is not distinct from ? and billing_period = ?"
        start, end = f"timezone('UTC', {t.start})", f"timezone('UTC', {t.end})"  # UTC days
        first, last = self.con.execute(
            f"select min(cast({start} as date)), "
            f"max(cast(case when {end} > {start} then {end} - interval 1 microsecond else {start} end as date)) "
            f"from {RAW_SCHEMA}.{t.name} where {clause}",
            params,
        ).fetchone()
        self.con.execute(f"delete from {RAW_SCHEMA}.{t.name} where {clause}", params)
        unit = _Unit()
        unit.touch(*_period_days(period))
        unit.touch(first, last)
        self.units[(account, period)] = unit

    def insert(self, frame: pl.DataFrame, where: str) -> None:
        """Add one frame of the delivery (a file, or a batch of one); written in inserts of FLUSH_ROWS rows."""
        if frame.height == 0:
            return
        t = self.table
        start, end = pl.col(t.start), pl.col(t.end)
        stats = frame.group_by("billing_account_id", "billing_period").agg(
            pl.len().alias("rows"),
            pl.col(t.currency).drop_nulls().unique().alias("currencies"),
            start.min().dt.date().alias("first"),
            pl.when(end > start).then(end - pl.duration(microseconds=1)).otherwise(start).max().dt.date().alias("last"),
        )
        for account, period, rows, currencies, first, last in stats.iter_rows():
            self.clear(account, period)
            unit = self.units[(account, period)]
            unit.rows += rows
            unit.currencies.update(currencies)
            unit.touch(first, last)
        self._pending.append((frame.select(list(t.schema)), where))
        self._pending_rows += frame.height
        self.rows += frame.height
        if self._pending_rows >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        """One INSERT of the pending frames, through a reader over a list of record batches. DuckDB writes an
        insert of several row groups straight to the database file; smaller inserts wait in memory for the
        commit, and a registered Arrow Table (or Table.to_reader()) stays referenced, i.e. in memory, until the
        commit: either way the whole period would be held in memory again."""
        if not self._pending:
            return
        tables = [frame.to_arrow() for frame, _ in self._pending]
        batches = [b for table in tables for b in table.to_batches(max_chunksize=_ROW_GROUP)]
        reader = pa.RecordBatchReader.from_batches(tables[0].schema, batches)
        files = sorted({where for _, where in self._pending})
        self._pending, self._pending_rows = [], 0
        del tables, batches
        self.con.register("_unitcost_bill_batch", reader)
        try:
            self.con.execute(f"insert into {RAW_SCHEMA}.{self.table.name} by name select * from _unitcost_bill_batch")
        except duckdb_lib.Error as exc:
            raise LandingFileError(files[-1], f"cannot be written to raw.{self.table.name}: {exc}") from exc
        finally:
            self.con.unregister("_unitcost_bill_batch")

    def commit(self, records: dict[tuple[str | None, str], dict], run_id: str) -> list[dict]:
        """Refuse a unit whose rows are all in another currency, record every unit, commit. ``records`` holds
        per unit (or under (None, None) for all) the delivery_id, fingerprint, manifest and bill_format."""
        self._flush()
        for (account, period), unit in sorted(self.units.items(), key=lambda kv: (kv[0][1], kv[0][0] or "")):
            # One bill in the configured currency is what every number is reconciled to; rows in a second
            # currency beside it are the blocking check one_currency_per_period's to stop.
            if unit.currencies and self.currency not in unit.currencies:
                raise LandingFileError(
                    self.where,
                    f"billing account {account}, period {period}: bill in currency "
                    f"{', '.join(sorted(unit.currencies))}; unitcost is configured for {self.currency} "
                    "(currency: in unitcost.yaml)",
                )
        now = datetime.now(timezone.utc)
        out = []
        for (account, period), unit in self.units.items():
            record = records.get((account, period)) or records[(None, None)]
            out.append({
                "source_id": self.source_id, "billing_account_id": account, "billing_period": period,
                **record, "row_count": unit.rows, "first_usage_date": unit.first, "last_usage_date": unit.last,
                "run_id": run_id, "loaded_at": now, "checks_passed": None, "checked_run_id": None,
            })
            self.con.execute(
                f"delete from {RAW_SCHEMA}.bill_deliveries where source_id = ? "
                "and billing_account_id is not distinct from ? and billing_period = ?",
                [self.source_id, account, period],
            )
        if out:
            self.con.register("_unitcost_bill_records", pl.DataFrame(out, schema=BILL_DELIVERIES).to_arrow())
            try:
                self.con.execute(
                    f"insert into {RAW_SCHEMA}.bill_deliveries by name select * from _unitcost_bill_records"
                )
            finally:
                self.con.unregister("_unitcost_bill_records")
        self.con.execute("commit")
        return out

    def rollback(self) -> None:
        self.con.execute("rollback")


def _period_days(period: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{period}-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _replace(con, table: BillTable, source_id: str, currency: str, where: str, fill, records, run_id) -> list[dict]:
    """Run ``fill(replacement)`` inside one transaction; roll back on any failure."""
    replacement = PeriodReplacement(con, table, source_id, currency, where)
    try:
        fill(replacement)
        return replacement.commit(records, run_id)
    except BaseException:
        replacement.rollback()
        raise


# ------------------------------------------------------------------------------------------------------------
# What is loaded
# ------------------------------------------------------------------------------------------------------------
def ensure_bill_tables(con) -> None:
    for table in BILL_TABLES:
        ensure_table(con, table.name, table.schema)
    ensure_table(con, "bill_deliveries", BILL_DELIVERIES)
    # a warehouse written before these columns existed gets them (null) rather than an error
    for name, dtype in BILL_DELIVERIES.items():
        sql_type = _DUCKDB_TYPES.get(dtype, "TIMESTAMPTZ")
        con.execute(f"alter table {RAW_SCHEMA}.bill_deliveries add column if not exists {name} {sql_type}")


def _records(con, source_id: str) -> list[dict]:
    cursor = con.execute(
        f"select billing_account_id, billing_period, bill_format, fingerprint, manifest "
        f"from {RAW_SCHEMA}.bill_deliveries where source_id = ?",
        [source_id],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _delivery_root(manifest_key: str) -> str:
    """The export a manifest belongs to: a URI may hold several exports (one per payer account)."""
    if "metadata/BILLING_PERIOD=" in manifest_key:
        return manifest_key.rpartition("metadata/BILLING_PERIOD=")[0]
    return manifest_key.rsplit("/", 2)[0] if manifest_key.count("/") >= 2 else ""


# ------------------------------------------------------------------------------------------------------------
# Loading a source
# ------------------------------------------------------------------------------------------------------------
def load_bill_source(con, source: SourceConfig, currency: str, run_id: str, log) -> list[dict]:
    """Load every changed (account, period) of one configured bill source; returns the delivery records written.

    Errors of one period do not stop the others: they are raised together once every other period is loaded."""
    errors: list[LandingFileError] = []
    loaded: list[dict] = []
    fmt = (source.format or "").lower() or None
    if fmt is not None and fmt not in ("cur1", "cur2", "focus"):
        raise LandingFileError(source.uri, f"format {source.format!r} is not one of cur1, cur2, focus")
    if fmt == "focus" and source.billing_period:
        # one FOCUS file: its rows name their own accounts and periods, like a folder holding only this file
        folder, _, name = source.uri.rstrip("/").rpartition("/")
        landing = Landing(folder, endpoint_url=source.endpoint_url)
        fingerprints = {k: v for k, v in file_fingerprints(landing).items() if k == name}
        if not fingerprints:
            raise LandingFileError(landing.describe(name), "no such file")
        loaded += _load_focus_files(con, landing, source, fingerprints, currency, run_id, log)
    elif fmt in ("cur1", "cur2") and source.billing_period:
        loaded += _load_bare_cur(con, source, fmt, currency, run_id, log)
    else:
        landing = open_landing(source, log)
        if landing is None:
            return loaded
        fingerprints = file_fingerprints(landing)
        deliveries: list[Delivery] = []
        if fmt in (None, "cur2", "focus"):  # an AWS FOCUS export comes as Data Exports, with manifests
            deliveries = find_cur2_deliveries(landing, errors)
        if not deliveries and fmt in (None, "cur1"):
            deliveries = find_cur1_deliveries(landing, errors)
        data_files = {k: v for k, v in fingerprints.items() if focus.is_data_file(k)}
        if deliveries:
            for delivery in deliveries:
                try:
                    loaded += _load_delivery(con, landing, source, delivery, fingerprints, currency, run_id, log)
                except LandingFileError as exc:
                    errors.append(exc)
        elif not errors and data_files and (fmt == "focus" or _holds_focus(landing, data_files)):
            loaded += _load_focus_files(con, landing, source, data_files, currency, run_id, log)
        elif not errors:
            log.warning(
                f"bill source '{source.name}' at {source.uri}: no CUR manifest and no FOCUS file found; skipped"
            )
    if errors:
        raise errors[0] if len(errors) == 1 else LandingFileError(
            source.uri, f"{len(errors)} billing periods failed to load:\n" + "\n".join(str(e) for e in errors)
        )
    return loaded


def _holds_focus(landing: Landing, data_files: dict[str, str]) -> bool:
    """Without a manifest, a source is a folder of FOCUS files when its first data file has FOCUS columns."""
    first = sorted(data_files)[0]
    return focus.looks_like_focus(focus.file_header(landing, first))


def _load_delivery(con, landing, source, delivery: Delivery, fingerprints, currency, run_id, log) -> list[dict]:
    """A manifest-driven delivery (CUR 2.0, CUR 1, or an AWS FOCUS Data Export): reload it if it changed."""
    manifest_fp = fingerprints.get(delivery.manifest_key, "")
    parts = [("delivery_id", delivery.delivery_id), (delivery.manifest_key, manifest_fp)]
    parts += [(k, fingerprints.get(k, "")) for k in delivery.data_keys]
    fingerprint = delivery_fingerprint(parts)
    root = _delivery_root(delivery.manifest_key or "")
    previous = [
        r for r in _records(con, source.name)
        if r["billing_period"] == delivery.billing_period and not (r["manifest"] or "").startswith("{")
        and _delivery_root(r["manifest"] or "") == root
    ]
    if previous and all(r["fingerprint"] == fingerprint for r in previous):
        log.info(f"{source.name} {delivery.billing_period}: delivery {delivery.delivery_id} already loaded")
        return []
    is_focus = bool(delivery.data_keys) and focus.looks_like_focus(focus.file_header(landing, delivery.data_keys[0]))
    table = FOCUS_TABLE if is_focus else CUR_TABLE
    bill_format = "focus" if is_focus else delivery.bill_format
    record = {"bill_format": bill_format, "delivery_id": delivery.delivery_id, "fingerprint": fingerprint,
              "manifest": delivery.manifest_key}

    def fill(replacement: PeriodReplacement) -> None:
        # accounts the previous delivery of this export held are replaced even if the new one drops them
        for r in previous:
            if r["bill_format"] == bill_format:
                replacement.clear(r["billing_account_id"], delivery.billing_period)
        for key in delivery.data_keys:
            if is_focus:
                frames = [focus.read_focus_file(landing, key, source_id=source.name, delivery_id=delivery.delivery_id)]
            elif delivery.bill_format == "cur2":  # Parquet in bounded batches: memory is one batch, not one file
                frames = cur2.iter_cur2_file(landing, key, billing_period=delivery.billing_period,
                                            delivery_id=delivery.delivery_id, source_id=source.name)
            else:
                frames = [cur1.read_cur1_file(landing, key, billing_period=delivery.billing_period,
                                             delivery_id=delivery.delivery_id, source_id=source.name)]
            for frame in frames:
                replacement.insert(frame, landing.describe(key))
        if not replacement.units:
            replacement.clear(None, delivery.billing_period)  # an empty delivery is remembered too

    out = _replace(con, table, source.name, currency, landing.describe(delivery.manifest_key), fill,
                   {(None, None): record}, run_id)
    log.info(f"{source.name} {delivery.billing_period}: loaded delivery {delivery.delivery_id} "
             f"({sum(r['row_count'] for r in out)} rows, {len(delivery.data_keys)} files)")
    return out


def _load_bare_cur(con, source: SourceConfig, fmt: str, currency: str, run_id: str, log) -> list[dict]:
    """A single CUR file without a manifest: the config names its format and billing period."""
    folder, _, name = source.uri.rstrip("/").rpartition("/")
    landing = Landing(folder, endpoint_url=source.endpoint_url)
    file_fp = file_fingerprints(landing).get(name)
    if file_fp is None:
        raise LandingFileError(landing.describe(name), "no such file")
    fingerprint = delivery_fingerprint([(name, file_fp)])
    previous = [r for r in _records(con, source.name) if r["billing_period"] == source.billing_period]
    if previous and all(r["fingerprint"] == fingerprint for r in previous):
        log.info(f"{source.name} {source.billing_period}: {name} already loaded")
        return []
    frame = cur.read_bare_bill(landing, name, fmt, source.billing_period, source.name)
    delivery_id = frame.get_column("delivery_id")[0] if frame.height else "empty"
    record = {"bill_format": fmt, "delivery_id": delivery_id, "fingerprint": fingerprint, "manifest": name}

    def fill(replacement: PeriodReplacement) -> None:
        for r in previous:
            replacement.clear(r["billing_account_id"], source.billing_period)
        replacement.insert(frame, landing.describe(name))
        if not replacement.units:
            replacement.clear(None, source.billing_period)

    return _replace(con, CUR_TABLE, source.name, currency, landing.describe(name), fill, {(None, None): record}, run_id)


def _load_focus_files(con, landing: Landing, source, fingerprints: dict[str, str], currency, run_id, log) -> list[dict]:
    """FOCUS without a manifest: the files holding rows of an (account, period) form that period.

    Each file's partitions come from its BillingAccountId and BillingPeriodStart columns (remembered per file
    fingerprint, so an unchanged file is not scanned again). A partition is re-ingested when the set of files
    holding it, or any of those files, changed; the others are not touched."""
    previous = [r for r in _records(con, source.name) if (r["manifest"] or "").startswith("{")]
    loaded_files: dict[tuple, dict[str, str]] = {}
    known_units: dict[str, set] = defaultdict(set)
    for r in previous:
        files = json.loads(r["manifest"]).get("files", {})
        loaded_files[(r["billing_account_id"], r["billing_period"])] = files
        for key, fp in files.items():
            if fingerprints.get(key) == fp:
                known_units[key].add((r["billing_account_id"], r["billing_period"]))
    unit_files: dict[tuple, dict[str, str]] = defaultdict(dict)
    for key in sorted(fingerprints):
        units = known_units.get(key) or focus.scan_focus_file(landing, key)
        for unit in units:
            unit_files[unit][key] = fingerprints[key]
    for unit in sorted(set(loaded_files) - set(unit_files), key=lambda u: (u[1], u[0] or "")):
        log.warning(f"{source.name}: no file holds billing account {unit[0]}, period {unit[1]} any more; "
                    "its loaded rows are kept")
    changed = {u: files for u, files in unit_files.items() if loaded_files.get(u) != files}
    if not changed:
        log.info(f"{source.name}: every FOCUS billing period already loaded")
        return []
    records = {}
    for unit, files in changed.items():
        fingerprint = delivery_fingerprint(sorted(files.items()))
        records[unit] = {"bill_format": "focus", "delivery_id": fingerprint, "fingerprint": fingerprint,
                         "manifest": json.dumps({"files": files}, sort_keys=True)}
    wanted = pl.DataFrame(
        [(a, p, records[(a, p)]["delivery_id"]) for a, p in changed],
        schema={"billing_account_id": pl.String, "billing_period": pl.String, "delivery_id": pl.String},
        orient="row",
    )

    def fill(replacement: PeriodReplacement) -> None:
        for account, period in sorted(changed, key=lambda u: (u[1], u[0])):
            replacement.clear(account, period)
        for key in sorted({k for files in changed.values() for k in files}):
            frame = focus.read_focus_file(landing, key, source_id=source.name, delivery_id="")
            # only the changed partitions' rows, each stamped with its own delivery fingerprint
            frame = frame.drop("delivery_id").join(
                wanted, on=["billing_account_id", "billing_period"], how="inner", maintain_order="left"
            )
            replacement.insert(frame, landing.describe(key))

    out = _replace(con, FOCUS_TABLE, source.name, currency, landing.describe(), fill, records, run_id)
    for r in out:
        log.info(f"{source.name}: loaded FOCUS billing account {r['billing_account_id']}, period "
                 f"{r['billing_period']} ({r['row_count']} rows)")
    return out


# ------------------------------------------------------------------------------------------------------------
# The asset
# ------------------------------------------------------------------------------------------------------------
@dg.multi_asset(
    specs=raw_specs("cur_line_items", "focus_line_items", "bill_deliveries"),
    partitions_def=daily_partitions(),
    **RAW_ASSET_KW,
)
def cloud_bill(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Each run checks the current delivery of every billing period of every bill source (restatements arrive
    for past months) and re-ingests each (source, account, period) whose delivery changed."""
    cfg = project_config()
    loaded: list[dict] = []
    failures: list[Exception] = []
    with duckdb.get_connection() as con:
        ensure_bill_tables(con)
        for source in cfg.sources_of("cur"):
            try:
                loaded += load_bill_source(con, source, cfg.currency, context.run_id, context.log)
            except LandingFileError as exc:
                context.log.error(f"bill source '{source.name}': {exc}")
                failures.append(exc)
    if failures:
        # the periods that did load are committed and recorded with this run; the next run's checks pick them up
        raise failures[0] if len(failures) == 1 else LandingFileError(
            "bill sources", "\n".join(str(f) for f in failures)
        )
    summary = [f"{r['source_id']}/{r['billing_account_id']}/{r['billing_period']}: {r['delivery_id']} "
               f"({r['row_count']} rows)" for r in loaded]
    by_format = defaultdict(int)
    for r in loaded:
        by_format[r["bill_format"]] += r["row_count"]
    yield materialized("cur_line_items", reingested=summary,
                       rows_loaded=by_format["cur2"] + by_format["cur1"])
    yield materialized("focus_line_items", rows_loaded=by_format["focus"])
    yield materialized("bill_deliveries", deliveries_loaded=len(loaded))
