"""The CUR line-item frame (``raw.cur_line_items``, CUR_LINE_ITEMS) that both CUR readers, cur2 and cur1, produce.

Which columns a CUR reader keeps, which ones a file cannot do without, and how a frame read from one file is
finished: money and timestamps converted from text, the delivery's lineage columns added, the contract applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import polars as pl

from ingest.cloud_bill.files import convert_text_columns, csv_bytes, csv_header, read_csv_strings
from ingest.errors import LandingFileError
from ingest.schemas import CUR_LINE_ITEMS, MONEY, TS, conform, empty
from ingest.values import require_columns

LINEAGE_COLUMNS = ("source_id", "bill_format", "billing_account_id", "billing_period", "delivery_id", "source_file")
BILL_COLUMNS = tuple(c for c in CUR_LINE_ITEMS if c not in LINEAGE_COLUMNS)
MONEY_COLUMNS = tuple(c for c, t in CUR_LINE_ITEMS.items() if t == MONEY)
TIMESTAMP_COLUMNS = tuple(c for c, t in CUR_LINE_ITEMS.items() if t == TS)
FLOAT_COLUMNS = tuple(c for c, t in CUR_LINE_ITEMS.items() if t == pl.Float64)
# Without these a file is not a CUR at all (or cannot be placed in its (account, period) partition).
REQUIRED_COLUMNS = (
    "bill_payer_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_unblended_cost",
)
READ_COLUMNS = frozenset(BILL_COLUMNS) | {"bill_payer_account_id"}


def concat(frames: Iterator[pl.DataFrame]) -> pl.DataFrame:
    collected = list(frames)
    return pl.concat(collected, how="vertical") if collected else empty(CUR_LINE_ITEMS)


def csv_line(i: int) -> str:
    return f"line {i + 2}"  # line 1 is the header


def read_csv(raw: bytes, where: str, pick: Callable[[str], str | None]) -> pl.DataFrame:
    """All wanted columns as strings; ``pick`` maps a header to its output name, or None to skip it."""
    data = csv_bytes(raw, where)
    wanted: dict[str, str] = {}
    for column in csv_header(data, where):
        out = pick(column)
        if out is not None and column not in wanted:
            wanted[column] = out
    if not wanted:
        return pl.DataFrame()
    return read_csv_strings(data, where, list(wanted)).rename(wanted)


def require(columns: list[str], where: str, shown: dict[str, str] | None = None) -> None:
    """The REQUIRED_COLUMNS, named in the message as ``shown`` spells them (a CUR 1 file's own headers)."""
    require_columns(columns, REQUIRED_COLUMNS, where, file_kind="CUR", shown=shown)


def finish(
    frame: pl.DataFrame,
    where: str,
    row_label: Callable[[int], str],
    bill_format: str,
    billing_period: str,
    delivery_id: str,
    source_id: str,
    key: str,
    originals: dict[str, str] | None = None,
) -> pl.DataFrame:
    originals = originals or {}
    frame = convert_text_columns(
        frame, where, row_label, MONEY_COLUMNS, TIMESTAMP_COLUMNS, FLOAT_COLUMNS, originals=originals
    )
    frame = frame.with_columns(
        pl.lit(source_id, pl.String).alias("source_id"),
        pl.lit(bill_format, pl.String).alias("bill_format"),
        pl.col("bill_payer_account_id").cast(pl.String).alias("billing_account_id"),
        pl.lit(billing_period, pl.String).alias("billing_period"),
        pl.lit(delivery_id, pl.String).alias("delivery_id"),
        pl.lit(key, pl.String).alias("source_file"),
    )
    try:
        return conform(frame, CUR_LINE_ITEMS)
    except pl.exceptions.PolarsError as exc:
        raise LandingFileError(where, f"columns do not fit the CUR line-item schema: {exc}") from exc
