"""The bill's unit of replacement and its memory: which delivery of each (source, billing account, billing period)
is loaded, and the one transaction that replaces such a unit (docs/cloud-bill.md).

A bill delivery is a full snapshot of its billing period, restated for weeks after month end. Its rows are replaced
as a whole, in one transaction streamed file by file (a 5 M-line month is never one DataFrame): delete the unit's
rows, insert each file's rows, check the currency, record the delivery, commit. Any failure rolls back, so readers
keep the previous delivery. ``raw.bill_deliveries`` remembers what is loaded, by which run, which days its old and
new rows touch (the ledger days a re-ingest must rebuild) and whether the blocking bill checks passed.

The interface is small: ``replace_periods`` (load), ``loaded_deliveries`` (what is there), ``units_to_validate`` /
``record_check_outcome`` (the checks' bookkeeping) and ``days_touched_by_run`` (what the dbt run must rebuild).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import duckdb
import polars as pl

from dagster_project.lib.warehouse import FLUSH_ROWS, RAW_SCHEMA, ensure_table, insert_frames
from ingest.errors import LandingFileError
from ingest.schemas import CUR_LINE_ITEMS, FOCUS_LINE_ITEMS

DELIVERIES_TABLE = "bill_deliveries"
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
_DUCKDB_TYPES = {pl.String: "VARCHAR", pl.Int64: "BIGINT", pl.Date: "DATE", pl.Boolean: "BOOLEAN"}
_UNIT = "source_id = ? and billing_account_id is not distinct from ? and billing_period = ?"

Unit = tuple[str | None, str]  # (billing account, billing period) within one source


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


def table_of_format(bill_format: str) -> BillTable:
    return FOCUS_TABLE if bill_format == "focus" else CUR_TABLE


def ensure_bill_tables(con: duckdb.DuckDBPyConnection) -> None:
    for table in BILL_TABLES:
        ensure_table(con, table.name, table.schema)
    ensure_table(con, DELIVERIES_TABLE, BILL_DELIVERIES)
    # a warehouse written before these columns existed gets them (null) rather than an error
    for name, dtype in BILL_DELIVERIES.items():
        sql_type = _DUCKDB_TYPES.get(dtype, "TIMESTAMPTZ")
        con.execute(f"alter table {RAW_SCHEMA}.{DELIVERIES_TABLE} add column if not exists {name} {sql_type}")


def loaded_deliveries(con: duckdb.DuckDBPyConnection, source_id: str) -> list[dict]:
    """What is loaded of one source: per (account, period) its format, fingerprint and manifest."""
    cursor = con.execute(
        f"select billing_account_id, billing_period, bill_format, fingerprint, manifest "
        f"from {RAW_SCHEMA}.{DELIVERIES_TABLE} where source_id = ?",
        [source_id],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


# ------------------------------------------------------------------------------------------------------------
# One transaction replacing (source, account, period) units
# ------------------------------------------------------------------------------------------------------------
@dataclass
class _UnitLoad:
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
    """Delete-then-insert of whole (source, billing account, billing period) units of one raw bill table, inside
    the transaction `replace_periods` opens: ``clear`` a unit (remembering the days its old rows touched),
    ``insert`` frames file by file (a unit not cleared yet is cleared on its first row)."""

    def __init__(self, con, table: BillTable, source_id: str, currency: str, where: str) -> None:
        self.con, self.table, self.source_id, self.currency, self.where = con, table, source_id, currency, where
        self.units: dict[Unit, _UnitLoad] = {}
        self.rows = 0
        self._pending: list[tuple[pl.DataFrame, str]] = []
        self._pending_rows = 0

    def clear(self, account: str | None, period: str) -> None:
        if (account, period) in self.units:
            return
        t = self.table
        params = [self.source_id, account, period]
        start, end = f"timezone('UTC', {t.start})", f"timezone('UTC', {t.end})"  # UTC days
        first, last = self.con.execute(
            f"select min(cast({start} as date)), "
            f"max(cast(case when {end} > {start} then {end} - interval 1 microsecond else {start} end as date)) "
            f"from {RAW_SCHEMA}.{t.name} where {_UNIT}",
            params,
        ).fetchone()
        self.con.execute(f"delete from {RAW_SCHEMA}.{t.name} where {_UNIT}", params)
        unit = _UnitLoad()
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
        """One INSERT of the pending frames (lib/warehouse.insert_frames: several row groups, written out before the
        commit, so the whole period is never held in memory again)."""
        if not self._pending:
            return
        frames = [frame for frame, _ in self._pending]
        files = sorted({where for _, where in self._pending})
        self._pending, self._pending_rows = [], 0
        try:
            insert_frames(self.con, self.table.name, frames)
        except duckdb.Error as exc:
            raise LandingFileError(files[-1], f"cannot be written to raw.{self.table.name}: {exc}") from exc

    def _record(self, records: dict[Unit | tuple[None, None], dict], run_id: str) -> list[dict]:
        """Refuse a unit whose rows are all in another currency, then write every unit's delivery record.
        ``records`` holds per unit (or under (None, None) for all) the delivery_id, fingerprint, manifest and
        bill_format."""
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
            self.con.execute(f"delete from {RAW_SCHEMA}.{DELIVERIES_TABLE} where {_UNIT}",
                             [self.source_id, account, period])
        if out:
            self.con.register("_unitcost_bill_records", pl.DataFrame(out, schema=BILL_DELIVERIES).to_arrow())
            try:
                self.con.execute(
                    f"insert into {RAW_SCHEMA}.{DELIVERIES_TABLE} by name select * from _unitcost_bill_records"
                )
            finally:
                self.con.unregister("_unitcost_bill_records")
        return out


def _period_days(period: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{period}-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def replace_periods(
    con: duckdb.DuckDBPyConnection,
    table: BillTable,
    source_id: str,
    currency: str,
    where: str,
    fill: Callable[[PeriodReplacement], None],
    records: dict,
    run_id: str,
) -> list[dict]:
    """In one transaction: ``fill(replacement)`` clears and inserts units, then the currency check and the
    delivery records, commit. Any failure rolls back (the previous delivery stays) and is re-raised.
    Returns the delivery records written."""
    con.execute("begin transaction")
    try:
        replacement = PeriodReplacement(con, table, source_id, currency, where)
        fill(replacement)
        out = replacement._record(records, run_id)
        con.execute("commit")
        return out
    except BaseException:
        con.execute("rollback")
        raise


# ------------------------------------------------------------------------------------------------------------
# The checks' bookkeeping, and what the dbt run must rebuild
# ------------------------------------------------------------------------------------------------------------
def units_to_validate(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, list[tuple]]:
    """Per raw bill table, the units loaded by this run or whose blocking checks have not passed yet, as
    (source, account, period): a bad period keeps being validated (and blocking) until a new delivery replaces it."""
    rows = con.execute(
        f"""
        select bill_format, source_id, billing_account_id, billing_period
        from {RAW_SCHEMA}.{DELIVERIES_TABLE}
        where row_count > 0 and (run_id = ? or checks_passed is distinct from true)
        order by 1, 2, 4, 3
        """,
        [run_id],
    ).fetchall()
    out: dict[str, list[tuple]] = {t.name: [] for t in BILL_TABLES}
    for fmt, source_id, account, period in rows:
        out[table_of_format(fmt).name].append((source_id, account, period))
    return out


def record_check_outcome(con: duckdb.DuckDBPyConnection, units: list[tuple], failed: set[tuple], run_id: str) -> None:
    """checks_passed per validated (source, account, period): false for the units in `failed`."""
    for unit in units:
        con.execute(
            f"update {RAW_SCHEMA}.{DELIVERIES_TABLE} set checks_passed = ?, checked_run_id = ? where {_UNIT}",
            [unit not in failed, run_id, *unit],
        )


def days_touched_by_run(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[date | None, date | None]:
    """The first and last UTC day of every delivery this run loaded or validated (old and new rows): the days a
    restated bill changes. (None, None) when the run touched no bill (or the warehouse has no bill yet)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [RAW_SCHEMA, DELIVERIES_TABLE],
    ).fetchone()[0]
    if not exists:
        return None, None
    return con.execute(
        f"select min(first_usage_date), max(last_usage_date) from {RAW_SCHEMA}.{DELIVERIES_TABLE} "
        "where run_id = ? or checked_run_id = ?",
        [run_id, run_id],
    ).fetchone()


def cur_periods_in_two_sources(con: duckdb.DuckDBPyConnection, sources: list[str]) -> list[LandingFileError]:
    """One error per (billing account, billing period) that two of the configured CUR `sources` both hold (a CUR 1
    and a CUR 2.0 export of one payer account configured as two sources): the same charges twice, named with both sources'
    manifests. The ledger is not built while one exists (the bill asset fails with these errors)."""
    rows = con.execute(
        f"select billing_account_id, billing_period, list(source_id || ' (' || bill_format || ', ' "
        f"|| coalesce(manifest, 'no manifest') || ')' order by source_id) from {RAW_SCHEMA}.{DELIVERIES_TABLE} "
        "where bill_format in ('cur1', 'cur2') and billing_account_id is not null and list_contains(?, source_id) "
        "group by 1, 2 having count(distinct source_id) > 1 order by 2, 1", [sources]
    ).fetchall()
    return [LandingFileError("bill sources", f"billing account {account}, period {period} is delivered by "
                             f"{len(holders)} sources: {'; '.join(holders)}; keep one export per account and period")
            for account, period, holders in rows]
