"""AWS CUR 2.0 (Data Exports) data files → ``raw.cur_line_items`` (CUR_LINE_ITEMS).

A CUR 2.0 export writes Parquet (or CSV/CSV.gz with the same column names) with Athena-style snake_case columns.
Money columns are DOUBLE in Parquet: they become the nearest DECIMAL(38, 9) to the exact binary value (pyarrow's
cast); in CSV they are decimal text (``7.20216E-5``) converted without a float. ``resource_tags`` is a MAP in
Parquet and JSON text in CSV; both become one JSON object string (``{"user_team": "ml"}``). A column outside AWS's
data dictionary (cur2_dictionary.py) is kept in ``extra_columns`` rather than dropped.

AWS writes files of any size, so a Parquet file is read in batches of rows (``iter_cur2_file``): a caller can write a
5 M-row month without holding it. Which files make a delivery is deliveries.py's business; cur.py reads one.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl
import pyarrow as pa

from ingest.cloud_bill.cur2_dictionary import CUR2_DICTIONARY
from ingest.cloud_bill.files import arrow_money, is_parquet, is_text, open_parquet, tags_json_expression
from ingest.cloud_bill.line_items import (
    LINEAGE_COLUMNS,
    MONEY_COLUMNS,
    READ_COLUMNS,
    concat,
    csv_line,
    finish,
    read_csv,
    require,
)
from ingest.errors import LandingFileError
from ingest.landing import Landing

PARQUET_BATCH_ROWS = 122_880  # rows per frame when a Parquet file is streamed (one DuckDB row group)


def read_cur2_file(
    landing: Landing, key: str, *, billing_period: str, delivery_id: str, source_id: str, data: bytes | None = None
) -> pl.DataFrame:
    """One CUR 2.0 data file (Parquet, or CSV/CSV.gz with the same column names) as a CUR_LINE_ITEMS frame."""
    return concat(iter_cur2_file(landing, key, billing_period=billing_period, delivery_id=delivery_id,
                                 source_id=source_id, data=data))


def iter_cur2_file(
    landing: Landing, key: str, *, billing_period: str, delivery_id: str, source_id: str, data: bytes | None = None,
    batch_rows: int = PARQUET_BATCH_ROWS,
) -> Iterator[pl.DataFrame]:
    """One CUR 2.0 data file as CUR_LINE_ITEMS frames: a Parquet file in batches of at most ``batch_rows`` rows
    (AWS writes files of any size; memory stays that of one batch), a CSV file as one frame."""
    where = landing.describe(key)
    if not is_parquet(key):
        raw = data if data is not None else landing.read_bytes(key)
        frame = read_csv(raw, where, lambda c: c if _is_read(c) else None)
        require(frame.columns, where)
        yield finish(_tags_and_extras(frame, where), where, csv_line, "cur2", billing_period, delivery_id, source_id,
                     key)
        return
    offset = 0
    for frame in _iter_parquet(landing, key, where, data, batch_rows):
        yield finish(_tags_and_extras(frame, where), where, lambda i, first=offset: f"row {first + i + 1}", "cur2",
                     billing_period, delivery_id, source_id, key)
        offset += frame.height


def _is_unknown_cur2_column(name: str) -> bool:
    return name not in CUR2_DICTIONARY and name not in READ_COLUMNS and name not in LINEAGE_COLUMNS


def _is_read(name: str) -> bool:
    """A column the reader keeps: one the raw table models, the tags, or one AWS's dictionary does not know."""
    return name in READ_COLUMNS or name == "resource_tags" or _is_unknown_cur2_column(name)


def _tags_and_extras(frame: pl.DataFrame, where: str) -> pl.DataFrame:
    """``resource_tags`` as a JSON object string; the columns AWS's dictionary does not name folded into one JSON
    object column, ``extra_columns``."""
    frame = frame.with_columns(tags_json_expression(frame, "resource_tags", where).alias("resource_tags"))
    unknown = [c for c in frame.columns if _is_unknown_cur2_column(c)]
    if not unknown:
        return frame
    packed = pl.struct([pl.col(c).cast(pl.String) for c in unknown]).struct.json_encode()
    return frame.with_columns(packed.alias("extra_columns")).drop(unknown)


def _iter_parquet(
    landing: Landing, key: str, where: str, data: bytes | None, batch_rows: int
) -> Iterator[pl.DataFrame]:
    """The CUR columns of a Parquet file, ``batch_rows`` rows at a time, money already DECIMAL(38, 9)."""
    parquet = open_parquet(landing, key, where, data)
    try:
        names = [c for c in parquet.schema_arrow.names if _is_read(c)]
        require(names, where)
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=names):
            columns = {}
            for name, column in zip(batch.schema.names, batch.columns):
                if name in MONEY_COLUMNS and not is_text(column):
                    column = arrow_money(column, name, where)
                columns[name] = column
            yield pl.from_arrow(pa.table(columns))
    except (pa.ArrowException, OSError) as exc:
        raise LandingFileError(where, f"not a readable Parquet file: {exc}") from exc
